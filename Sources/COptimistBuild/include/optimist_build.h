// What this build of optimist is: its version and commit, compiled in from the
// OPTIMIST_VERSION and OPTIMIST_COMMIT defines that Package.swift sets (the Makefile passes
// them from `git describe`: Packaging/version.sh). C, because a Swift define holds no value.
#ifndef OPTIMIST_BUILD_H
#define OPTIMIST_BUILD_H

/// optimist's version, e.g. "0.1.0+183.gc52987a".
const char *optimist_build_version(void);

/// The commit it was built from (40 hex digits), or "unknown".
const char *optimist_build_commit(void);

#endif
