import OptimistCore
import OptimistSQLite

/// The API opens its store by path, as `optimist-serve` does: the SQLite engine is registered
/// once, as that executable's main.swift registers it.
let registerSQLite: Void = { Engines.sqlite = SQLiteStore.open }()
