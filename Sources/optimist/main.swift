// The `optimist` executable: everything it does lives in OptimistCLI, on the SQLite engine.
import OptimistCLI
import OptimistCore
import OptimistSQLite

Engines.sqlite = SQLiteStore.open
Engines.sqliteVersion = { Connection.libraryVersion }
Optimist.main()
