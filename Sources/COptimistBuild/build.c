#include "optimist_build.h"

const char *optimist_build_version(void) { return OPTIMIST_VERSION; }

const char *optimist_build_commit(void) { return OPTIMIST_COMMIT; }
