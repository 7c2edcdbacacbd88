// `optimist-pg`: the same commands against PostgreSQL, run by `optimist` for a
// `postgresql://` or `postgres://` URL (dynamically linked to libpq; see Companion.swift). It
// links no SQLite: for a path it runs `optimist` beside it, the mirror of what `optimist`
// does for a URL, so that its start-up loads libpq and nothing else it can do without. Its
// `--version` and `doctor` name the SQLite of that `optimist` (the header both were built with).
import COptimistBuild
import OptimistCLI
import OptimistCore
import OptimistPostgres

Engines.sqliteVersion = { String(cString: optimist_build_sqlite_version()) }
Engines.postgres = PostgresStore.openRemembering
Optimist.main()
