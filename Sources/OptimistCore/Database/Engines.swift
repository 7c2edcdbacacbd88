/// Which engine a store location names, and how each is opened.
///
/// A `postgresql://` or `postgres://` URL is PostgreSQL; anything else is a SQLite path. The
/// SQLite binary links no PostgreSQL code: `optimist` runs `optimist-pg` for a URL, and
/// `optimist-pg` sets `postgres` before any command runs.
public enum Engines {
  /// Whether `location` is a PostgreSQL connection URI (libpq's two URI schemes).
  public static func isPostgres(_ location: String) -> Bool {
    // The first byte first: a SQLite path pays one comparison, not two prefix searches.
    location.utf8.first == UInt8(ascii: "p")
      && (location.hasPrefix("postgresql://") || location.hasPrefix("postgres://"))
  }

  /// Opens a PostgreSQL store from its URL and lock timeout; nil where libpq is not linked.
  /// Set once, at start-up, by the executable that links the engine.
  nonisolated(unsafe) public static var postgres: ((_ url: String, _ timeout: Double) throws -> any StoreEngine)?

  /// The store at `location`; nothing is connected or created until a transaction needs it.
  public static func open(_ location: String, timeout: Double) throws -> any StoreEngine {
    guard isPostgres(location) else { return Store(path: location, timeout: timeout) }
    guard let postgres else {
      throw OptimistError.storage(
        "This optimist has no PostgreSQL engine: PostgreSQL URLs are run by optimist-pg.")
    }
    return try postgres(location, timeout)
  }
}
