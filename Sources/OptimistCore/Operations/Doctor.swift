/// `doctor`'s report: the engine's facts, the counts and what its check found.
public struct DoctorReport: Answer {
  public let json: String
  /// STORAGE (exit 1) when the check found damage; the report is still printed.
  public let refusal: OptimistError?
}

extension StoreEngine {
  /// Reports what this optimist is (`build`: version, commit, SQLite library), the engine's
  /// facts (location, versions), the counts (the history's kept versions included), the
  /// engine's check (SQLite's `PRAGMA integrity_check`, PostgreSQL's consistency check) and the
  /// history check (`historyProblems`, the same on every engine); refused (exit 1) when a check
  /// finds damage, the report still on stdout.
  public func doctor(_ build: BuildInfo) throws -> DoctorReport {
    try read { db in
      // The check first: a damaged table can make the counts below fail.
      let diagnosis = try diagnose(db)
      let result = diagnosis.problems.isEmpty ? "ok" : diagnosis.problems.joinedFast("; ")
      // History: every kept version a valid object below its object's current version.
      let historyProblems =
        (try? db.historyProblems()) ?? ["the history could not be read"]
      let history = historyProblems.isEmpty ? "ok" : historyProblems.joinedFast("; ")
      var counts = JSONObject()
      for type in ObjectType.allCases {
        counts.addRaw(type.table, count(db, type.table))
      }
      var document = JSONObject()
      document.addRaw("optimist", build.json)
      document.append(diagnosis.facts)
      document.addRaw("objects", counts.text)
      document.addRaw("idempotency_keys", count(db, "idempotency_keys"))
      document.addRaw(
        "history_versions", (try? db.historyCount()).map { String($0) } ?? "null")
      document.add(diagnosis.checkName, result)
      document.add("history_check", history)
      guard diagnosis.problems.isEmpty else {
        return DoctorReport(
          json: document.text,
          refusal: .storage(
            "The \(diagnosis.checkName.replacingUnderscores) found damage: \(result)"))
      }
      guard historyProblems.isEmpty else {
        return DoctorReport(
          json: document.text, refusal: .storage("The history check found damage: \(history)"))
      }
      return DoctorReport(json: document.text, refusal: nil)
    }
  }

  /// The row count of `table` as JSON, or `null` when damage keeps it from being read.
  private func count(_ db: ReadTransaction, _ table: String) -> String {
    (try? db.first("SELECT count(*) FROM \(raw: table)")?.integer(0)).map { String($0) } ?? "null"
  }
}

extension String {
  /// `integrity_check` as "integrity check", for messages.
  fileprivate var replacingUnderscores: String {
    String(map { $0 == "_" ? " " : $0 })
  }
}
