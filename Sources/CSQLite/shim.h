#include <sqlite3.h>

#ifdef __linux__
// statfs, to tell a database on a network file system (where SQLite's locks do not hold).
#include <sys/vfs.h>
#endif

// sqlite3_config is variadic, which Swift cannot call: a wrapper for each setting optimist
// makes. MEMSTATUS: https://www.sqlite.org/c3ref/c_config_covering_index_scan.html
static inline int optimist_sqlite3_config_memstatus(int on) {
  return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on);
}
