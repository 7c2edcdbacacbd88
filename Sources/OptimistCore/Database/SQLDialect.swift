/// What SQLite and PostgreSQL spell differently, named in one place (after vapor/sql-kit's
/// `SQLDialect`); operations write their SQL once and ask the dialect for these parts. Each
/// engine's target implements it: `SQLiteDialect`, `PostgresDialect`.
///
/// Transactions differ too, but they belong to the engines: SQLite takes its write lock up
/// front with `BEGIN IMMEDIATE`; PostgreSQL runs writes in READ COMMITTED with row locks
/// (`FOR UPDATE`, the catalog clock row, the idempotency key's unique index) and
/// `lock_timeout`. Claiming an idempotency key with `INSERT … ON CONFLICT DO NOTHING` is the
/// same on both.
public protocol SQLDialect: Sendable {
  /// `sqlite` or `postgresql`.
  var name: String { get }

  /// `max(a, b)` (SQLite's scalar max) or `GREATEST(a, b)`.
  func greatest(_ a: SQL, _ b: SQL) -> SQL

  /// The SQL for the current time in epoch milliseconds on the server, or nil to bind the
  /// host's time (SQLite's server is this process).
  var serverMilliseconds: String? { get }

  /// Appended to the SELECT of a row about to be changed: nothing where the write lock is
  /// already held (SQLite), ` FOR UPDATE` where rows are locked one by one (PostgreSQL).
  var lockForUpdate: String { get }

  /// The statement that reads the highest list position ever handed out in `table`: SQLite's
  /// AUTOINCREMENT keeps it in `sqlite_sequence`, PostgreSQL's identity column in its sequence.
  func highestPosition(_ table: String) -> SQL

  /// A statement run before inserting into the listed `table`, or nil. PostgreSQL hands out
  /// identity values before commit, so concurrent inserts could commit out of order and a
  /// page cursor could skip one; a per-table transaction lock keeps commit order = position
  /// order. SQLite's write lock already does.
  func serializeInserts(_ table: String) -> String?

  /// A statement with one row when `table` exists in the store's schema, none when not.
  func tableExists(_ table: String) -> SQL

  /// Creates the webhook tables when they are missing (Operations/Webhooks.swift): every
  /// statement `IF NOT EXISTS`, the feed's one row only when it has none. Run in the write
  /// transaction that creates the first subscription, after `serializeInserts` of
  /// `webhook_subscriptions`, so that two servers creating at once do not race.
  var webhookTables: String { get }

  /// Records the schema version: `PRAGMA user_version = N` or the `optimist_schema` row.
  func setSchemaVersion(_ version: Int) -> String

  /// The placeholder of the `index`th value bound to a statement, counting from 1: `?NNN`
  /// (SQLite) or `$n` (PostgreSQL). Either names its value by number. `SQL` writes its text in
  /// SQLite's plainest spelling, `?` (SQLite numbers them in order), and an engine whose
  /// spelling differs asks `SQL.text(in:)` for its own, placed where the values were
  /// interpolated: nothing scans the text for them.
  func placeholder(at index: Int) -> String
}
