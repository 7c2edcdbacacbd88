// `optimist-pg`: the same commands against PostgreSQL, run by `optimist` for a
// `postgresql://` or `postgres://` URL (dynamically linked to libpq; see Companion.swift). It
// links SQLite too, so a path given to it works as with `optimist`.
import OptimistCLI
import OptimistCore
import OptimistPostgres
import OptimistSQLite

Engines.sqlite = SQLiteStore.open
Engines.sqliteVersion = { Connection.libraryVersion }
Engines.postgres = PostgresStore.open
Optimist.main()
