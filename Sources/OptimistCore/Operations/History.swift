/// A validated `history` request: whose versions, how many, and where to resume.
///
/// Versions are listed newest first; a cursor names the object and the last version printed,
/// so paging neither skips nor repeats one (versions written meanwhile are newer: they would
/// be on an earlier page).
public struct HistoryRequest: Sendable, Equatable {
  public let id: String
  public let limit: Int
  /// Resume below this version; nil starts at the newest.
  let below: Int64?
  /// The cursor as given, for its error.
  private let cursor: String?

  public init(id: String, limit: Int, cursor: String?) throws(OptimistError) {
    self.id = id
    self.cursor = cursor
    self.limit = limit
    if let cursor {
      // `ID-VERSION`: more remain below VERSION, so it is at least 1.
      let prefix = id + "-"
      guard cursor.hasPrefix(prefix),
        let version = Values.wholeNumber(String(cursor.dropFirst(prefix.count))),
        version >= 1, String(version) == cursor.dropFirst(prefix.count)
      else {
        throw .invalidValue(field: "cursor", detail: "`\(cursor)` is not a cursor of this history.")
      }
      below = version
    } else {
      below = nil
    }
  }

  var badCursor: OptimistError {
    .invalidValue(field: "cursor", detail: "`\(cursor ?? "")` is not a cursor of this history.")
  }
}

extension StoreEngine {
  /// The object's versions, newest first, each as `get` printed it; the cursor only while
  /// older ones remain.
  public func history(_ request: HistoryRequest) throws -> HistoryPage {
    try read { db in
      let live = try db.liveVersion(id: request.id, command: "history")
      var page: [(Int64, String)] = []
      if let live, request.below.map({ live.version < $0 }) ?? true {
        page.append((live.version, live.json))
      }
      let newest = try live?.version ?? db.newestPastVersion(id: request.id)?.version
      guard let newest else { throw try db.unknown(id: request.id) }
      if let below = request.below, below > newest { throw request.badCursor }
      page += try db.pastVersions(
        id: request.id, below: request.below, limit: request.limit + 1 - page.count)
      return HistoryPage(
        versions: page.prefix(request.limit).map(\.1),
        cursor: page.count > request.limit ? "\(request.id)-\(page[request.limit - 1].0)" : nil)
    }
  }
}

/// One page of an object's history: `{"objects":[…],"cursor":"…"}`, each version's JSON as
/// `get` printed it.
public struct HistoryPage: Answer, Equatable {
  public let versions: [String]
  public let cursor: String?

  public var json: String {
    var document = JSONObject()
    document.addRaw("objects", jsonArray(versions))
    document.add("cursor", cursor)
    return document.text
  }
}
