/// What SQLite and PostgreSQL spell differently, named in one place (after vapor/sql-kit's
/// `SQLDialect`); operations write their SQL once and ask the dialect for these parts.
///
/// Transactions differ too, but they belong to the engines: SQLite takes its write lock up
/// front with `BEGIN IMMEDIATE`; PostgreSQL runs writes in READ COMMITTED with row locks
/// (`FOR UPDATE`, the catalog clock row, the idempotency key's unique index) and
/// `lock_timeout`. Claiming an idempotency key with `INSERT … ON CONFLICT DO NOTHING` is the
/// same on both.
public struct SQLDialect: Sendable {
  /// `sqlite` or `postgresql`.
  public let name: String

  /// `max(a, b)` (SQLite's scalar max) or `GREATEST(a, b)`.
  public let greatest: @Sendable (SQL, SQL) -> SQL

  /// The SQL for the current time in epoch milliseconds on the server, or nil to bind the
  /// host's time (SQLite's server is this process).
  public let serverMilliseconds: String?

  /// Appended to the SELECT of a row about to be changed: nothing where the write lock is
  /// already held (SQLite), ` FOR UPDATE` where rows are locked one by one (PostgreSQL).
  public let lockForUpdate: String

  /// The statement that reads the highest list position ever handed out in a table: SQLite's
  /// AUTOINCREMENT keeps it in `sqlite_sequence`, PostgreSQL's identity column in its sequence.
  public let highestPosition: @Sendable (_ table: String) -> SQL

  /// A statement run before inserting into a listed table, or nil. PostgreSQL hands out
  /// identity values before commit, so concurrent inserts could commit out of order and a
  /// page cursor could skip one; a per-table transaction lock keeps commit order = position
  /// order. SQLite's write lock already does.
  public let serializeInserts: @Sendable (_ table: String) -> String?

  /// Records the schema version: `PRAGMA user_version = N` or the `optimist_schema` row.
  public let setSchemaVersion: @Sendable (Int) -> String

  public init(
    name: String, greatest: @escaping @Sendable (SQL, SQL) -> SQL,
    serverMilliseconds: String?, lockForUpdate: String,
    highestPosition: @escaping @Sendable (String) -> SQL,
    serializeInserts: @escaping @Sendable (String) -> String?,
    setSchemaVersion: @escaping @Sendable (Int) -> String
  ) {
    self.name = name
    self.greatest = greatest
    self.serverMilliseconds = serverMilliseconds
    self.lockForUpdate = lockForUpdate
    self.highestPosition = highestPosition
    self.serializeInserts = serializeInserts
    self.setSchemaVersion = setSchemaVersion
  }
}

extension SQLDialect {
  /// SQLite: <https://www.sqlite.org/lang_corefunc.html#max_scalar>,
  /// <https://www.sqlite.org/autoinc.html>, <https://www.sqlite.org/pragma.html#pragma_user_version>.
  public static let sqlite = SQLDialect(
    name: "sqlite",
    greatest: { "max(\($0), \($1))" },
    serverMilliseconds: nil,
    lockForUpdate: "",
    highestPosition: { "SELECT seq FROM sqlite_sequence WHERE name = \($0)" },
    serializeInserts: { _ in nil },
    setSchemaVersion: { "PRAGMA user_version = \($0)" })

  /// PostgreSQL: <https://www.postgresql.org/docs/current/functions-conditional.html>,
  /// <https://www.postgresql.org/docs/current/sql-createsequence.html>,
  /// <https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS>.
  public static let postgresql = SQLDialect(
    name: "postgresql",
    greatest: { "GREATEST(\($0), \($1))" },
    serverMilliseconds: "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint",
    lockForUpdate: " FOR UPDATE",
    // The identity column's sequence is `<table>_seq_seq` (Schema/postgresql/001_initial.sql).
    highestPosition: { "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM \(raw: $0)_seq_seq" },
    serializeInserts: {
      "SELECT pg_advisory_xact_lock(\(PostgresLocks.namespace), hashtext(current_schema() || '.\($0)'))"
    },
    setSchemaVersion: { "UPDATE optimist_schema SET version = \($0)" })
}

/// Keys of PostgreSQL's advisory locks: (namespace, hash of schema and what is locked).
public enum PostgresLocks {
  /// The first key of every optimist advisory lock ("op" in ASCII).
  public static let namespace = 0x6F70
}

extension SQLDialect {
  /// How a statement's `index`th placeholder (from 1) is spelled: `?` for SQLite, `$1`, `$2`,
  /// … for PostgreSQL.
  public func placeholder(at index: Int) -> String {
    name == "postgresql" ? "$\(index)" : "?"
  }
}
