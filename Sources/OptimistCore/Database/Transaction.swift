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

  /// The objects this user last saw in the store, which the rows the transaction reads and
  /// writes update (KnownStates.swift); nil where the engine keeps none.
  var known: KnownStates? { get }

  /// The object `id` of `type` as known, for a speculative write to take as read instead of
  /// reading it (`object(id:type:)`); nil: read it.
  func speculate(id: String, type: ObjectType) throws -> Speculated?
}

/// What a speculative write takes as read, checked on the server with its writes.
package enum Speculated {
  /// No object of that type has the id: the one known with it is of another type.
  case absent
  /// The object as known.
  case present(StoredObject)
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
  package let known: KnownStates?

  /// Made only by an engine, after its BEGIN.
  package init(_ reader: any DatabaseReader, known: KnownStates? = nil) {
    self.reader = reader
    self.known = known
  }

  /// A read reads.
  package func speculate(id: String, type: ObjectType) -> Speculated? { nil }
}

/// A transaction that writes: rows read to be changed are locked until it ends, and its
/// changes commit together or not at all.
public struct WriteTransaction: Transaction {
  private let database: any Database
  /// The events of this transaction's changes, appended just before it commits (Outbox.swift).
  let outbox = Outbox()
  /// Whether the transaction sends what it expects instead of reading it first: an
  /// idempotency key's claim, the checks an operation makes before it acts, and that the
  /// object it changes is still as this user last saw it (`speculate`), are held back with
  /// the writes and checked on the server (`Database.runLater`, `requireLater`), so that a
  /// write is one round trip (PostgreSQL). Should one not hold, the transaction fails with
  /// `Misspeculation` and the engine runs it again without speculating (Idempotency.swift).
  /// SQLite, which waits for nothing, never does.
  let isSpeculative: Bool
  package let known: KnownStates?
  package var reader: any DatabaseReader { database }
  package var lockClause: String { database.dialect.lockForUpdate }

  /// Made only by an engine, after its BEGIN (SQLite's `BEGIN IMMEDIATE`), through
  /// `perform` (Outbox.swift), which appends the transaction's events before the COMMIT.
  init(_ database: any Database, speculative: Bool, known: KnownStates?) {
    self.database = database
    isSpeculative = speculative
    self.known = known
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

  /// `runLater` for a speculative claim, which fails the transaction with `Misspeculation`.
  func runLater(_ statement: SQL, changes: Int?, otherwise: Misspeculation) throws {
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

/// A speculative write's guess did not hold on the server: nothing of the transaction
/// commits, and the engine runs it again without speculating.
package enum Misspeculation: Error {
  /// The idempotency key's claim found the key taken: the run again replays the key's
  /// answer or refuses the reuse (Idempotency.swift).
  case keyTaken
  /// The object is no longer stored as known (KnownStates.swift): the run again reads it.
  case stateChanged
}

extension WriteTransaction {
  /// Speculating, the object `id` of `type` as this user last saw it, taken as read: a check
  /// that the stored row is still exactly that one, locked as the read would have locked it,
  /// goes with the writes, and the server fails the transaction otherwise. An id known as
  /// an object of another type is absent from `type`'s table, checked the same way. Nil when
  /// not speculating or nothing is known of `id`: read it.
  package func speculate(id: String, type: ObjectType) throws -> Speculated? {
    guard isSpeculative, let entry = known?.entry(id: id) else { return nil }
    guard entry.type == type else {
      try database.requireLater(
        "SELECT 1 WHERE NOT EXISTS (\(Self.containment(id: id, type: type)))",
        otherwise: Misspeculation.stateChanged)
      return .absent
    }
    guard let object = try? StoredObject(type: type, row: Row(values: entry.values)) else {
      return nil
    }
    let columns = Self.columnNames(of: type)
    var check = SQL.StringInterpolation(
      literalCapacity: 32 * columns.count, interpolationCount: columns.count)
    check.appendLiteral("SELECT 1 FROM \(type.table) WHERE id = ")
    check.appendInterpolation(id)
    for (column, value) in zip(columns.dropFirst(), entry.values.dropFirst()) {
      check.appendLiteral(" AND \(column) IS NOT DISTINCT FROM ")
      check.appendInterpolation(value)
    }
    check.appendLiteral(lockClause)
    try database.requireLater(
      SQL(stringInterpolation: check), otherwise: Misspeculation.stateChanged)
    return .present(object)
  }
}
