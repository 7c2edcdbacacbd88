/// What a transaction reads through: one connection to a store's database, as the
/// operations use it, written once for every engine.
///
/// SQL is an `SQL` value: its values bound, never spliced; what differs between engines is
/// named in `SQLDialect`, never spelled out in an operation. SQLite's `Connection` and
/// PostgreSQL's `PostgresConnection` conform. Operations never hold one: they get a
/// `ReadTransaction` or a `WriteTransaction` (Transaction.swift).
package protocol DatabaseReader: AnyObject {
  /// How this engine spells what the engines spell differently.
  var dialect: any SQLDialect { get }

  /// Runs one statement; returns its first row.
  func first(_ statement: SQL) throws -> Row?

  /// Runs one statement; returns every row.
  func rows(_ statement: SQL) throws -> [Row]
}

/// A connection that also writes: what a `WriteTransaction` runs its statements on.
package protocol Database: DatabaseReader {
  /// Runs one or more statements without parameters, ignoring any rows.
  func execute(_ sql: String) throws

  /// Runs one statement; returns how many rows it changed.
  @discardableResult
  func run(_ statement: SQL) throws -> Int

  /// Runs a statement whose result the transaction does not read: now, or held back and
  /// sent with the transaction's next statement or its COMMIT (PostgreSQL's pipeline: one
  /// round trip for them all). When it does not change exactly `changes` rows (if given),
  /// the transaction fails with `otherwise` and commits nothing, however late the engine ran
  /// it. SQLite runs it at once.
  func runLater(_ statement: SQL, changes: Int?, otherwise: any Error) throws

  /// Fails the transaction with `otherwise` unless `query` (a SELECT) finds a row: now, or
  /// held back like `runLater` and checked on the server. SQLite reads it at once.
  func requireLater(_ query: SQL, otherwise: any Error) throws

  /// A read the transaction is likely to run soon, word for word (the locked read an
  /// idempotent command makes once its key is claimed): an engine may send it with the next
  /// statement and answer it from there if it is the statement after that. A hint; SQLite
  /// ignores it.
  func readAhead(_ statement: SQL)
}

extension Database {
  package func runLater(_ statement: SQL, changes: Int?, otherwise: any Error) throws {
    let changed = try run(statement)
    if let changes, changed != changes { throw otherwise }
  }

  package func requireLater(_ query: SQL, otherwise: any Error) throws {
    if try first(query) == nil { throw otherwise }
  }

  package func readAhead(_ statement: SQL) {}
}

/// An engine's failure that the user sees as one of optimist's errors.
///
/// The engine only chooses which `OptimistError` it is; the codes stay in `OptimistError`.
public protocol DatabaseError: Error {
  /// The error the command reports, given the lock timeout it ran with.
  func optimistError(timeout: Double) -> OptimistError
}

/// A store's engine: its connection, transactions, migrations and health report.
///
/// Every command runs through one of these (`withStore`): SQLite's is `SQLiteStore`
/// (OptimistSQLite), PostgreSQL's `PostgresStore` (OptimistPostgres, linked only into
/// `optimist-pg` and `optimist-serve`). Its transactions hand out `ReadTransaction` and
/// `WriteTransaction` (Transaction.swift).
public protocol StoreEngine: AnyObject {
  /// Whether the store did not exist (no file, no schema): reads and refused writes then run
  /// against an empty stand-in and leave nothing behind.
  var isMissing: Bool { get }

  /// Runs `body` in a write transaction with the schema brought up to date; `body` returning
  /// commits, throwing rolls back. Without `creating`, a missing store is not created.
  func write<T>(creating: Bool, _ body: (WriteTransaction) throws -> T) throws -> T

  /// Runs `body` in a read transaction that sees one snapshot of the store and cannot write.
  func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T

  /// The engine's part of `doctor`: where the store is, its versions and its own checks.
  func diagnose(_ transaction: ReadTransaction) throws -> Diagnosis

  /// Calls `check` (which runs transactions of its own) until it returns a value, and returns
  /// that; nil once `deadline` has passed without one. Between calls it holds no transaction
  /// or lock and, using next to no CPU, waits until the store may have changed: SQLite polls
  /// `PRAGMA data_version` with a growing sleep, PostgreSQL waits for a notification naming
  /// `id` (it listens before the first call, so no change slips in between).
  func watch<T>(id: String, until deadline: Deadline, _ check: () throws -> T?) throws -> T?

  /// Ends what the last transaction left for later (PostgreSQL sends a read's COMMIT with
  /// the next statement): called before a process does something slow that is not the
  /// store's (runs a command, waits for work or a notification, posts a webhook), so that
  /// its connection holds no snapshot meanwhile. Errors wait for the next transaction.
  func idle()
}

/// What an engine's health check found, for `doctor`.
public struct Diagnosis {
  /// The report's leading fields (location, engine and schema versions), in order.
  public var facts: JSONObject
  /// The name of the check (`integrity_check`, `consistency_check`).
  public var checkName: String
  /// What the check found wrong; empty when all is well.
  public var problems: [String]

  public init(facts: JSONObject, checkName: String, problems: [String]) {
    self.facts = facts
    self.checkName = checkName
    self.problems = problems
  }
}

extension StoreEngine {
  /// A write that creates the store when it is missing.
  public func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
    try write(creating: true, body)
  }
}
