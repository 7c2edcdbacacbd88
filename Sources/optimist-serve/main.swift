// `optimist-serve`: the HTTP server, run by `optimist serve` (Companion.swift), and the same
// commands as `optimist` on both engines (linked to SwiftNIO and libpq, so `optimist` stays
// static and light).
import OptimistCLI
import OptimistCore
import OptimistPostgres
import OptimistSQLite
import OptimistServer

Engines.sqlite = SQLiteStore.open
Engines.sqliteVersion = { Connection.libraryVersion }
Engines.postgres = PostgresStore.open
ServeOptions.start = { options in
  Server.run(
    host: options.address.host, port: options.address.port, database: options.database,
    timeout: options.timeout, tokenFile: options.tokenFile,
    limits: ServerLimits(
      headerTimeout: options.limits.headerTimeout, bodyTimeout: options.limits.bodyTimeout,
      idleTimeout: options.limits.idleTimeout, maxConnections: options.limits.maxConnections,
      shutdownGrace: options.limits.shutdownGrace))
}
Optimist.main()
