/// One numbered file of `Schema/`, embedded in the binary.
///
/// Migrations run inside the write transaction that needs them and re-read
/// `PRAGMA user_version` there, so processes opening a new file at once never race.
/// See <https://www.sqlite.org/pragma.html#pragma_user_version>.
struct Migration: Sendable {
  let number: Int
  let file: String
  let sql: String

  /// The schema version this binary writes.
  static var latest: Int { all.last?.number ?? 0 }

  /// Brings the schema from `current` to the latest version; the caller holds the write lock.
  static func apply(from current: Int, on connection: Connection) throws {
    for migration in all where migration.number > current {
      try connection.execute(migration.sql)
      try connection.execute("PRAGMA user_version = \(migration.number)")
    }
  }
}
