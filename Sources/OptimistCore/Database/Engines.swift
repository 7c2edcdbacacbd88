/// Which engine a store location names, and how each is opened.
///
/// A `postgresql://` or `postgres://` URL is PostgreSQL; anything else is a SQLite path. Each
/// engine lives in a target of its own (OptimistSQLite, OptimistPostgres), which the core does
/// not import: every executable sets the openers of the engines it links before any command
/// runs. The SQLite binary links no PostgreSQL code: `optimist` runs `optimist-pg` for a URL.
public enum Engines {
  /// Whether `location` is a PostgreSQL connection URI (libpq's two URI schemes).
  public static func isPostgres(_ location: String) -> Bool {
    // The first byte first: a SQLite path pays one comparison, not two prefix searches.
    location.utf8.first == UInt8(ascii: "p")
      && (location.hasPrefix("postgresql://") || location.hasPrefix("postgres://"))
  }

  /// Opens a SQLite store from its path and lock timeout; nil where SQLite is not linked.
  /// Set once, at start-up, by the executable that links the engine.
  nonisolated(unsafe) public static var sqlite:
    ((_ path: String, _ timeout: Double) throws -> any StoreEngine)?

  /// The version of the SQLite library linked (`sqlite3_libversion()`, e.g. "3.40.1"), for
  /// `--version` and `doctor`; nil where SQLite is not linked. Set with `sqlite`.
  nonisolated(unsafe) public static var sqliteVersion: (() -> String)?

  /// Opens a PostgreSQL store from its URL and lock timeout; nil where libpq is not linked.
  /// Set once, at start-up, by the executable that links the engine.
  nonisolated(unsafe) public static var postgres:
    ((_ url: String, _ timeout: Double) throws -> any StoreEngine)?

  /// The store at `location`; nothing is connected or created until a transaction needs it.
  public static func open(_ location: String, timeout: Double) throws -> any StoreEngine {
    guard isPostgres(location) else {
      guard let sqlite else {
        throw OptimistError.storage("This optimist has no SQLite engine.")
      }
      return try sqlite(location, timeout)
    }
    guard let postgres else {
      throw OptimistError.storage(
        "This optimist has no PostgreSQL engine: PostgreSQL URLs are run by optimist-pg.")
    }
    return try postgres(location, timeout)
  }
}
