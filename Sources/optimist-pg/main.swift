// `optimist-pg`: the same commands against PostgreSQL, run by `optimist` for a
// `postgresql://` or `postgres://` URL (dynamically linked to libpq; see Companion.swift).
import OptimistCLI
import OptimistCore
import OptimistPostgres

Engines.postgres = PostgresStore.open
Optimist.main()
