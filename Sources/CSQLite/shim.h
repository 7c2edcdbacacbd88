#include <sqlite3.h>

#ifdef __linux__
// statfs, to tell a database on a network file system (where SQLite's locks do not hold).
#include <sys/vfs.h>
#endif
