/// `doctor`'s report: the engine's facts, the counts and what its check found.
public struct DoctorReport: Answer {
  public let json: String
  /// STORAGE (exit 1) when the check found damage; the report is still printed.
  public let refusal: OptimistError?
}

extension StoreEngine {
  /// Reports what this optimist is (`build`: version, commit, SQLite library), the engine's
  /// facts (location, versions), the counts and the engine's check (SQLite's
  /// `PRAGMA integrity_check`, PostgreSQL's consistency check); refused (exit 1) when the
  /// check finds damage, the report still on stdout.
  public func doctor(_ build: BuildInfo) throws -> DoctorReport {
    try read { db in
      // The check first: a damaged table can make the counts below fail.
      let diagnosis = try diagnose(db)
      let result = diagnosis.problems.isEmpty ? "ok" : diagnosis.problems.joinedFast("; ")
      var counts = JSONObject()
      for type in ObjectType.allCases {
        counts.addRaw(type.table, count(db, type.table))
      }
      var document = JSONObject()
      document.addRaw("optimist", build.json)
      document.append(diagnosis.facts)
      document.addRaw("objects", counts.text)
      document.addRaw("idempotency_keys", count(db, "idempotency_keys"))
      document.add(diagnosis.checkName, result)
      guard diagnosis.problems.isEmpty else {
        return DoctorReport(
          json: document.text,
          refusal: .storage(
            "The \(diagnosis.checkName.replacingUnderscores) found damage: \(result)"))
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
