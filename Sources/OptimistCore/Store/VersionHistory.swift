/// Version history: the past versions of customers and items (Schema/004_history.sql).
///
/// `conditionalUpdate` and `conditionalDelete` keep the version they replace, in the caller's
/// transaction, so every writer (update, delete, and any command built on them) records
/// history; the current version of a live object is its own row. A row holds the version's
/// JSON as `get` printed it.
extension WriteTransaction {
  /// Keeps `replaced` as a past version that stopped being current at `replacedAt`; with
  /// `deleted`, as the last version of a deleted object.
  func keepVersion(_ replaced: VersionedObject, replacedAt: Timestamp, deleted: Bool) throws {
    try runLater(
      """
      INSERT INTO history (id, version, replaced_at, object) VALUES (\(replaced.id), \
      \(replaced.version), \(replacedAt.milliseconds), \
      \(replaced.json(deletedAt: deleted ? replacedAt : nil)))
      """, changes: 1,
      otherwise: .storage("Version \(replaced.version) of `\(replaced.id)` could not be kept."))
  }
}

extension Transaction {

  /// The JSON of a past version, if it is kept.
  func pastVersion(id: String, version: Int64) throws -> String? {
    let object = try first(
      "SELECT object FROM history WHERE id = \(id) AND version = \(version)")?.text(0)
    return object?.isEmpty == false ? object : nil
  }

  /// Up to `limit` past versions below `version` (all when nil), newest first: (version, JSON).
  func pastVersions(id: String, below version: Int64?, limit: Int) throws -> [(Int64, String)] {
    try rows(
      "SELECT version, object FROM history WHERE id = \(id) AND version < \(version ?? Int64.max) "
        + "AND object <> '' ORDER BY version DESC LIMIT \(limit)"
    ).map { ($0.integer(0) ?? 0, $0.text(1) ?? "") }
  }

  /// The newest past version kept and when it was replaced: for an object that is not live,
  /// its last version and when it was deleted.
  func newestPastVersion(id: String) throws -> (version: Int64, replacedAt: Timestamp)? {
    guard
      let row = try first(
        "SELECT version, replaced_at FROM history WHERE id = \(id) AND object <> '' "
          + "ORDER BY version DESC LIMIT 1"),
      let version = row.integer(0), let replacedAt = row.integer(1)
    else { return nil }
    return (version, Timestamp(milliseconds: replacedAt))
  }

  /// The newest version of the object that prune-history removed, if it removed any: its
  /// row stays, with an empty `object`, and every older one is gone.
  func prunedThrough(id: String) throws -> Int64? {
    try first("SELECT max(version) FROM history WHERE id = \(id) AND object = ''")?.integer(0)
  }
}

extension WriteTransaction {

  /// Removes past versions, each object's oldest first: those beyond its `keep` newest (the
  /// current version of a live object counting as one) and replaced at or before `cutoff`
  /// (either rule alone when the other is nil; a version goes only when every rule given
  /// says so). Returns how many went.
  ///
  /// Per object, the newest version to go keeps its row with an empty `object` (so "was
  /// pruned" and "never was" stay apart without a table of their own, which every process
  /// would parse); then every row below it goes, an older such marker included.
  func pruneHistory(keep: Int64?, cutoff: Timestamp?) throws -> Int {
    // Prunes run one at a time where transactions run side by side (PostgreSQL).
    if let serialize = dialect.serializeInserts("history") { try execute(serialize) }
    let conditions: SQL
    switch (keep, cutoff) {
    case (let keep?, let cutoff?):
      conditions = "newness > \(keep) AND replaced_at <= \(cutoff.milliseconds)"
    case (let keep?, nil): conditions = "newness > \(keep)"
    case (nil, let cutoff?): conditions = "replaced_at <= \(cutoff.milliseconds)"
    case (nil, nil): return 0
    }
    // newness: 1 for the newest version of an object, live or not.
    let blanked = try run(
      "UPDATE history SET object = '' WHERE (id, version) IN (SELECT id, max(version) FROM ("
        + "SELECT id, version, replaced_at, row_number() OVER (PARTITION BY id ORDER BY version DESC) "
        + "+ CASE WHEN EXISTS (SELECT 1 FROM customers c WHERE c.id = h.id) "
        + "OR EXISTS (SELECT 1 FROM items i WHERE i.id = h.id) THEN 1 ELSE 0 END AS newness "
        + "FROM history h WHERE object <> '') AS ranked WHERE \(conditions) GROUP BY id)")
    guard blanked > 0 else { return 0 }
    let below =
      "version < (SELECT max(m.version) FROM history m WHERE m.id = history.id AND m.object = '')"
    try run("DELETE FROM history WHERE object = '' AND \(raw: below)")
    return blanked + (try run("DELETE FROM history WHERE \(raw: below)"))
  }
}

extension Transaction {
  /// How many past versions are kept (pruned markers are not versions).
  package func historyCount() throws -> Int64 {
    try first("SELECT count(*) FROM history WHERE object <> ''")?.integer(0) ?? 0
  }

  /// Every rule the history rows break, in words; empty when all hold (`doctor`, on every
  /// engine): each kept row is the JSON object of a customer or item whose `id` and
  /// `version` are the row's, and no row (a pruned marker included) is at or above the
  /// current version of its live object.
  package func historyProblems() throws -> [String] {
    var problems: [String] = []
    for table in ["customers", "items"] {
      let above =
        try first(
          "SELECT count(*) FROM history h JOIN \(raw: table) o ON o.id = h.id "
            + "WHERE h.version >= o.version")?.integer(0) ?? 0
      if above != 0 {
        problems.append("\(above) history rows at or above their \(table.dropLast())'s version")
      }
    }
    // Every kept version is parsed, a page at a time in (id, version) order, so that the check
    // holds one page in memory however long the history is.
    var malformed = 0
    var after = (id: "", version: Int64.min)
    while true {
      let page = try rows(
        "SELECT id, version, object FROM history WHERE object <> '' AND (id > \(after.id) OR "
          + "(id = \(after.id) AND version > \(after.version))) ORDER BY id, version "
          + "LIMIT \(historyCheckPage)")
      for row in page {
        let id = row.text(0) ?? ""
        let version = row.integer(1)
        guard let object = try? JSONValue.parse(row.text(2) ?? ""),
          object.members != nil, object["id"]?.string == id, object["version"]?.int64 == version,
          object["type"].map({ $0.string == "ITEM" && object["item_data"]?.members != nil })
            ?? (object["created_at"]?.string != nil)
        else {
          malformed += 1
          continue
        }
      }
      guard page.count == historyCheckPage, let last = page.last else { break }
      after = (last.text(0) ?? "", last.integer(1) ?? Int64.max)
    }
    if malformed != 0 {
      problems.append("\(malformed) history rows that are not the object they name")
    }
    return problems
  }
}

/// How many history rows `historyProblems` (doctor's check) reads at once.
let historyCheckPage = 500
