/// One numbered file of `Schema/` (SQLite) or `Schema/postgresql/`, embedded in the binary.
///
/// Migrations run inside the write transaction that needs them and re-read the schema
/// version there, under the engine's lock (SQLite's write lock, PostgreSQL's migration
/// advisory lock), so processes opening a new store at once never race.
/// See <https://www.sqlite.org/pragma.html#pragma_user_version>.
public struct Migration: Sendable {
  public let number: Int
  public let file: String
  public let sql: String

  public init(number: Int, file: String, sql: String) {
    self.number = number
    self.file = file
    self.sql = sql
  }

  /// Brings the schema from `current` to the last of `migrations`; the caller holds the
  /// migration lock. Each migration records its number the dialect's way.
  package static func apply(_ migrations: [Migration], from current: Int, on db: any Database)
    throws
  {
    for migration in migrations where migration.number > current {
      try db.execute(migration.sql)
      try db.execute(db.dialect.setSchemaVersion(migration.number))
    }
  }

  /// Refuses a store whose schema `version` is newer than `latest`, the last version this
  /// binary's migrations reach: a newer optimist made it, and this one must neither read nor
  /// change what it does not know. Every engine checks the version it finds with this.
  public static func refuseNewer(_ version: Int, than latest: Int) throws(OptimistError) {
    guard version > latest else { return }
    throw .storage(
      "The database has schema version \(version), newer than this optimist knows "
        + "(\(latest)): use a newer optimist.")
  }
}
