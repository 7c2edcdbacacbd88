/// A validated `list` request: which types, how many, and where to start.
///
/// Objects are listed customers first, then items, then payments, each in creation order;
/// a cursor names the last object printed, so paging neither skips nor repeats one.
public struct ListRequest: Sendable, Equatable {
  /// The types listed, in order.
  public let types: [ObjectType]
  public let limit: Int
  /// Resume after this (type, position); nil starts at the beginning.
  let start: Cursor?

  public static let defaultLimit = 100
  public static let maximumLimit = 1000

  public init(type: String?, limit: String?, cursor: String?) throws(OptimistError) {
    if let type {
      guard let only = ObjectType(rawValue: type) else {
        let hint = nearestName(to: type, in: ObjectType.allCases.map { $0.rawValue })
          .map { " Did you mean `\($0)`?" } ?? ""
        throw .invalidValue(
          field: "type",
          detail: "`type` must be CUSTOMER, ITEM, PAYMENT or REFUND, not `\(type)`.\(hint)")
      }
      types = [only]
    } else {
      types = ObjectType.allCases
    }
    self.limit = try Values.limit(limit)
    if let cursor {
      guard let start = Cursor(cursor), start.scope == Cursor.scope(of: types) else {
        throw .invalidValue(field: "cursor", detail: "`\(cursor)` is not a cursor of this listing.")
      }
      self.start = start
    } else {
      start = nil
    }
  }
}

/// Where a listing stopped: `SCOPE-TYPE-POSITION`, e.g. `ALL-ITEM-42`.
struct Cursor: Equatable, Sendable {
  let scope: String
  let type: ObjectType
  let seq: Int64

  static func scope(of types: [ObjectType]) -> String {
    types.count == 1 ? types[0].rawValue : "ALL"
  }

  init(scope: String, type: ObjectType, seq: Int64) {
    self.scope = scope
    self.type = type
    self.seq = seq
  }

  init?(_ text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, let type = ObjectType(rawValue: String(parts[1])),
      let seq = Values.wholeNumber(String(parts[2])), seq > 0, String(seq) == parts[2],
      parts[0] == "ALL" || parts[0] == parts[1]
    else { return nil }
    self.init(scope: String(parts[0]), type: type, seq: seq)
  }

  var text: String { "\(scope)-\(type.rawValue)-\(seq)" }
}

/// One page of a listing: each object's JSON, and the cursor after it (nil at the end).
public struct ListPage: Sendable, Equatable {
  public let objects: [String]
  public let cursor: String?
}

extension StoreEngine {
  /// Prints `{"objects":[…],"cursor":"…"}`, the cursor only while more remain.
  public func list(_ request: ListRequest) throws -> Output {
    let page = try listPage(request)
    var document = JSONObject()
    document.addRaw("objects", jsonArray(page.objects))
    document.add("cursor", page.cursor)
    return .success(document.text)
  }

  /// One page of the listing, read in one transaction.
  public func listPage(_ request: ListRequest) throws -> ListPage {
    try read { db in
      if let start = request.start {
        // The engine keeps the highest position ever handed out (SQLite's AUTOINCREMENT,
        // PostgreSQL's sequence): a cursor past it was never printed by optimist.
        let (sql, values) = db.dialect.highestPosition(start.type.table)
        let highest = try db.first(sql, values)?.integer(0)
        guard let highest, start.seq <= highest else {
          throw OptimistError.invalidValue(
            field: "cursor", detail: "`\(start.text)` is not a cursor of this listing.")
        }
      }
      var page: [(ObjectType, Int64, StoredObject)] = []
      let first = request.start.flatMap { start in request.types.firstIndex(of: start.type) } ?? 0
      for type in request.types[first...] where page.count <= request.limit {
        let after = request.start?.type == type ? request.start?.seq ?? 0 : 0
        for (seq, object) in try db.objects(type: type, after: after, limit: request.limit + 1 - page.count) {
          page.append((type, seq, object))
        }
      }
      var cursor: String?
      if page.count > request.limit {
        let (type, seq, _) = page[request.limit - 1]
        cursor = Cursor(scope: Cursor.scope(of: request.types), type: type, seq: seq).text
      }
      return ListPage(objects: page.prefix(request.limit).map { $0.2.json }, cursor: cursor)
    }
  }
}
