/// Reading and inserting customers, items, payments and refunds.
extension Transaction {
  /// The columns read for an object of `type`, in the order `VersionedObject(row:)` expects.
  static func columns(of type: ObjectType) -> String {
    columnNames(of: type).joinedFast(", ")
  }

  /// `columns(of:)`, one name each.
  static func columnNames(of type: ObjectType) -> [String] {
    switch type {
    case .payment: return Payment.columns
    case .refund: return Refund.columns
    case .customer, .item:
      return ["id", "version", "created_at", "updated_at"] + type.fields.map { $0.name }
    }
  }

  /// The object with this id, of whatever type.
  func object(id: String) throws -> StoredObject? {
    for type in ObjectType.allCases {
      if let object = try object(id: id, type: type) { return object }
    }
    return nil
  }

  /// The object of `type` with this id; in a write transaction, locked until it ends where
  /// the engine locks rows (`lockClause`). A speculative write may take it as this user last
  /// saw it instead (`speculate`); a row read is kept as the object's known state.
  func object(id: String, type: ObjectType) throws -> StoredObject? {
    if let known {
      switch try speculate(id: id, type: type) {
      case .present(let object)?: return object
      case .absent?: return nil
      case nil: break
      }
      guard let row = try first(read(id: id, type: type)) else { return nil }
      known.learn(type, row.values, read: true)
      return try StoredObject(type: type, row: row)
    }
    return try first(read(id: id, type: type)).map { try StoredObject(type: type, row: $0) }
  }

  /// The statement `object(id:type:)` runs (`object(id:)` tries the types in order, customers
  /// first).
  func read(id: String, type: ObjectType) -> SQL {
    SQL(endingInPlaceholder: Self.selectByID(type), .text(id)).appending(raw: lockClause)
  }

  /// Whether an object of `type` has this id; never locks it.
  func contains(id: String, type: ObjectType) throws -> Bool {
    try first(Self.containment(id: id, type: type)) != nil
  }

  /// The statement `contains(id:type:)` runs, and create-payment requires for its customer.
  static func containment(id: String, type: ObjectType) -> SQL {
    "SELECT 1 FROM \(raw: type.table) WHERE id = \(id)"
  }

  /// `SELECT <columns(of: type)> FROM <table> WHERE id = ?`, written out: building it at run
  /// time cost a `get` more instructions than reading the row (a test checks it against the
  /// fields).
  static func selectByID(_ type: ObjectType) -> String {
    switch type {
    case .customer:
      return "SELECT id, version, created_at, updated_at, given_name, family_name, company_name, "
        + "email_address, phone_number, reference_id, note FROM customers WHERE id = ?"
    case .item:
      return "SELECT id, version, created_at, updated_at, name, description, available_for_pickup "
        + "FROM items WHERE id = ?"
    case .payment:
      return
        "SELECT id, created_at, updated_at, amount, tip, refunded, currency, status, source_id, "
        + "customer_id, reference_id, note, refund_ids, version_token FROM payments WHERE id = ?"
    case .refund:
      return "SELECT id, payment_id, created_at, amount, currency, reason FROM refunds WHERE id = ?"
    }
  }

  /// Up to `limit` objects of `type` after position `seq`, with their positions.
  func objects(type: ObjectType, after seq: Int64, limit: Int) throws -> [(Int64, StoredObject)] {
    let rows = try rows(
      "SELECT seq, \(raw: Self.columns(of: type)) FROM \(raw: type.table) WHERE seq > \(seq) "
        + "ORDER BY seq LIMIT \(limit)")
    return try rows.map { row in
      (
        row.integer(0) ?? 0,
        try StoredObject(type: type, row: Row(values: Array(row.values.dropFirst())))
      )
    }
  }

}

extension WriteTransaction {
  /// Inserts a new customer or item.
  func insert(_ object: VersionedObject) throws {
    let names = ["id", "version", "created_at", "updated_at"] + object.type.fields.map(\.name)
    let values = object.row
    try insert(into: object.type.table, columns: names, values: values)
    known?.learn(object.type, values, read: false)
    recordChange(object, "created")
  }

  /// Inserts a new payment (`json`: its JSON, already rendered); it changes later only by
  /// `conditionalUpdate(_:expectedToken:)`.
  func insert(_ payment: Payment, json: String) throws {
    let values = payment.sqlValues
    try insert(into: ObjectType.payment.table, columns: Payment.columns, values: values)
    known?.learn(.payment, values, read: false)
    recordChange(payment, "created", json: json)
  }

  /// Inserts a refund; refunds never change.
  func insert(_ refund: Refund) throws {
    try insert(into: ObjectType.refund.table, columns: Refund.columns, values: refund.sqlValues)
    recordChange(refund)
  }

  /// `INSERT INTO table (columns) VALUES (?, …)` with every value bound.
  /// Nothing reads its result: it may go with the next statement or the commit.
  private func insert(into table: String, columns: [String], values: [SQLValue]) throws {
    let failed = OptimistError.storage("A new row of \(table) could not be inserted.")
    if let serialize = dialect.serializeInserts(table) {
      try runLater(SQL(stringLiteral: serialize), changes: nil, otherwise: failed)
    }
    try runLater(
      "INSERT INTO \(raw: table) (\(raw: columns.joinedFast(", "))) VALUES (\(list: values))",
      changes: 1, otherwise: failed)
  }

  /// The next catalog version and the time it stands for, that version's millisecond: an
  /// item's `updated_at` is its version, also when two writes fall in one millisecond (the
  /// second version is moved past the first, and its time with it).
  func nextCatalogStamp(now: Timestamp) throws -> (version: Int64, time: Timestamp) {
    let version = try nextCatalogVersion(now: now)
    return (version, Timestamp(milliseconds: version))
  }

  /// The next catalog version: the time in epoch milliseconds, strictly above every
  /// version handed out before (two writes in one millisecond still get increasing ones).
  ///
  /// The clock is the server's where there is one (PostgreSQL), so hosts whose clocks
  /// disagree still hand out increasing versions; the one row is locked until commit.
  func nextCatalogVersion(now: Timestamp) throws -> Int64 {
    let clock: SQL = dialect.serverMilliseconds.map { "\(raw: $0)" } ?? "\(now.milliseconds)"
    let row = try first(
      "UPDATE catalog_clock SET last_version = \(dialect.greatest("last_version + 1", clock)) "
        + "RETURNING last_version")
    guard let version = row?.integer(0) else {
      throw OptimistError.storage(
        "The catalog clock is missing or exhausted: the database is damaged.")
    }
    return version
  }
}

/// Any object the store holds, as `get` and `list` print it.
///
/// `indirect`: the payloads are boxed, so destroying one is a release, not a value-witness
/// call that needs the runtime to instantiate `Optional<StoredObject>`'s metadata first.
public indirect enum StoredObject: Sendable, Equatable {
  case versioned(VersionedObject)
  case payment(Payment)
  case refund(Refund)

  init(type: ObjectType, row: Row) throws {
    if type == .payment {
      self = .payment(try Payment(row: row))
      return
    }
    if type == .refund {
      self = .refund(try Refund(row: row))
      return
    }
    guard let id = row.text(0), let version = row.integer(1), let created = row.integer(2),
      let updated = row.integer(3)
    else { throw OptimistError.storage("A stored \(type.rawValue) row is damaged.") }
    var values = FieldValues()
    for (offset, field) in type.fields.enumerated() {
      if let value = FieldValue(row[4 + offset], kind: field.kind) { values[field.name] = value }
    }
    self = .versioned(
      VersionedObject(
        type: type, id: id, version: version, createdAt: Timestamp(milliseconds: created),
        updatedAt: Timestamp(milliseconds: updated), values: values))
  }

  public var json: String {
    switch self {
    case .versioned(let object): return object.json
    case .payment(let payment): return payment.json
    case .refund(let refund): return refund.json
    }
  }
}

extension VersionedObject {
  /// The object's columns, in the order `Transaction.selectByID` reads them.
  var row: [SQLValue] {
    [
      .text(id), .integer(version), .integer(createdAt.milliseconds),
      .integer(updatedAt.milliseconds),
    ] + type.fields.map { values[$0.name]?.sqlValue ?? .null }
  }
}
