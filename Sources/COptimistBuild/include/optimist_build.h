// What this build of optimist is: its version and commit, compiled in from the
// OPTIMIST_VERSION and OPTIMIST_COMMIT defines that Package.swift sets (the Makefile passes
// them from `git describe`: Packaging/version.sh). C, because a Swift define holds no value.
#ifndef OPTIMIST_BUILD_H
#define OPTIMIST_BUILD_H

/// optimist's version, e.g. "0.1.0+183.gc52987a".
const char *optimist_build_version(void);

/// The commit it was built from (40 hex digits), or "unknown".
const char *optimist_build_commit(void);

/// The version of the sqlite3.h it was compiled against (SQLITE_VERSION, e.g. "3.40.1"): the
/// SQLite library of the `optimist` built with it (one Debian package gives both), for
/// optimist-pg, which links no SQLite and runs `optimist` for a path. Only the header is
/// read: nothing here links SQLite.
const char *optimist_build_sqlite_version(void);

#endif
