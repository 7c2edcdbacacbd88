#include "optimist_build.h"

#include <sqlite3.h>

const char *optimist_build_version(void) { return OPTIMIST_VERSION; }

const char *optimist_build_commit(void) { return OPTIMIST_COMMIT; }

const char *optimist_build_sqlite_version(void) { return SQLITE_VERSION; }
