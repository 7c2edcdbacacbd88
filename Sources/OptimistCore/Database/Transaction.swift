/// What every transaction can do: read one snapshot of the store.
///
/// There are two kinds, and the kind is the type: a `ReadTransaction` only reads (on SQLite
/// with `PRAGMA query_only`), a `WriteTransaction` reads rows it will change locked and is the
/// only way to write. Everything that writes (idempotency, create, the conditional UPDATE and
/// DELETE, history, the payment life cycle) is declared on `WriteTransaction`, so a write
/// outside a write transaction does not compile. Only an engine makes one, around its
/// BEGIN and COMMIT (after GRDB's `DatabaseWriter.write` and `readOnly`).
package protocol Transaction {
  /// The connection the transaction reads through.
  var reader: any DatabaseReader { get }

  /// What a SELECT of a row the transaction may change appends: nothing in a read, the
  /// dialect's row lock (` FOR UPDATE` on PostgreSQL) in a write.
  var lockClause: String { get }
}

extension Transaction {
  /// How this engine spells what the engines spell differently.
  var dialect: SQLDialect { reader.dialect }

  /// Runs one statement; returns its first row.
  func first(_ statement: SQL) throws -> Row? { try reader.first(statement) }

  /// Runs one statement; returns every row.
  func rows(_ statement: SQL) throws -> [Row] { try reader.rows(statement) }
}

/// A transaction that only reads: one snapshot of the store.
public struct ReadTransaction: Transaction {
  package let reader: any DatabaseReader
  package var lockClause: String { "" }

  /// Made only by an engine, after its BEGIN.
  package init(_ reader: any DatabaseReader) { self.reader = reader }
}

/// A transaction that writes: rows read to be changed are locked until it ends, and its
/// changes commit together or not at all.
public struct WriteTransaction: Transaction {
  private let database: any Database
  /// The events of this transaction's changes, appended just before it commits (Outbox.swift).
  let outbox = Outbox()
  /// Whether the transaction sends what it expects instead of reading it first: an
  /// idempotency key's claim, and the checks an operation makes before it acts, are held back
  /// with the writes and checked on the server (`Database.runLater`, `requireLater`), so
  /// that a write that reads nothing is one round trip (PostgreSQL). Should a claim find its
  /// key taken, the transaction fails with `KeyWasTaken` and the engine runs it again
  /// without speculating (Idempotency.swift). SQLite, which waits for nothing, never does.
  let isSpeculative: Bool
  package var reader: any DatabaseReader { database }
  package var lockClause: String { database.dialect.lockForUpdate }

  /// Made only by an engine, after its BEGIN (SQLite's `BEGIN IMMEDIATE`), through
  /// `perform` (Outbox.swift), which appends the transaction's events before the COMMIT.
  init(_ database: any Database, speculative: Bool) {
    self.database = database
    isSpeculative = speculative
  }

  /// Runs one statement; returns how many rows it changed.
  @discardableResult
  func run(_ statement: SQL) throws -> Int { try database.run(statement) }

  /// Runs a statement whose result nothing reads before the commit, at once or with the
  /// next statement (`Database.runLater`); one that does not change exactly `changes` rows
  /// fails the transaction with `otherwise`.
  func runLater(_ statement: SQL, changes: Int?, otherwise: OptimistError) throws {
    try database.runLater(statement, changes: changes, otherwise: otherwise)
  }

  /// `runLater` for a speculative claim, which fails the transaction with `KeyWasTaken`.
  func runLater(_ statement: SQL, changes: Int?, otherwise: KeyWasTaken) throws {
    try database.runLater(statement, changes: changes, otherwise: otherwise)
  }

  /// Fails the transaction with `otherwise` unless `query` finds a row: read at once, or,
  /// speculating, checked on the server with the statements that follow it.
  func require(_ query: SQL, otherwise: OptimistError) throws {
    if isSpeculative {
      try database.requireLater(query, otherwise: otherwise)
    } else if try first(query) == nil {
      throw otherwise
    }
  }

  /// Hints a read this transaction is likely to run soon (`Database.readAhead`).
  func readAhead(_ statement: SQL) { database.readAhead(statement) }

  /// Runs statements without parameters (a dialect's lock statement).
  func execute(_ sql: String) throws { try database.execute(sql) }
}
