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

  /// Objects of `type` (nil: every type), `limit` to a page, after `cursor` (a cursor this
  /// listing printed; optimist's own token, checked here).
  public init(type: ObjectType?, limit: Int, cursor: String?) throws(OptimistError) {
    types = type.map { [$0] } ?? ObjectType.allCases
    self.limit = limit
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

/// One page of a listing: `{"objects":[…],"cursor":"…"}`, the cursor only while more remain.
public struct ListPage: Answer {
  public let objects: [StoredObject]
  public let cursor: String?

  public var json: String { json(key: "objects") }

  /// The page with its objects under `key` (the server's `customers`, `payments`, …).
  public func json(key: String) -> String {
    var document = JSONObject()
    document.addRaw(key, jsonArray(objects.map(\.json)))
    document.add("cursor", cursor)
    return document.text
  }
}

extension StoreEngine {
  /// One page of the listing, read in one transaction.
  public func list(_ request: ListRequest) throws -> ListPage {
    try read { db in
      if let start = request.start {
        // The engine keeps the highest position ever handed out (SQLite's AUTOINCREMENT,
        // PostgreSQL's sequence): a cursor past it was never printed by optimist.
        let highest = try db.first(db.dialect.highestPosition(start.type.table))?.integer(0)
        guard let highest, start.seq <= highest else {
          throw OptimistError.invalidValue(
            field: "cursor", detail: "`\(start.text)` is not a cursor of this listing.")
        }
      }
      var page: [(ObjectType, Int64, StoredObject)] = []
      let first = request.start.flatMap { start in request.types.firstIndex(of: start.type) } ?? 0
      for type in request.types[first...] where page.count <= request.limit {
        let after = request.start?.type == type ? request.start?.seq ?? 0 : 0
        for (seq, object) in try db.objects(
          type: type, after: after, limit: request.limit + 1 - page.count)
        {
          page.append((type, seq, object))
        }
      }
      var cursor: String?
      if page.count > request.limit {
        let (type, seq, _) = page[request.limit - 1]
        cursor = Cursor(scope: Cursor.scope(of: request.types), type: type, seq: seq).text
      }
      return ListPage(objects: page.prefix(request.limit).map { $0.2 }, cursor: cursor)
    }
  }
}
