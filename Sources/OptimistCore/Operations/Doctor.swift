extension StoreEngine {
  /// Reports the engine's facts (location, versions), the counts and the engine's check
  /// (SQLite's `PRAGMA integrity_check`, PostgreSQL's consistency check); exits 1 when the
  /// check finds damage, the report still on stdout.
  public func doctor() throws -> Output {
    try read { db in
      // The check first: a damaged table can make the counts below fail.
      let diagnosis = try diagnose(db)
      let result = diagnosis.problems.isEmpty ? "ok" : diagnosis.problems.joinedFast("; ")
      var counts = JSONObject()
      for type in ObjectType.allCases {
        counts.addRaw(type.table, count(db, type.table))
      }
      var document = diagnosis.facts
      document.addRaw("objects", counts.text)
      document.addRaw("idempotency_keys", count(db, "idempotency_keys"))
      document.add(diagnosis.checkName, result)
      guard diagnosis.problems.isEmpty else {
        let error = OptimistError.storage("The \(diagnosis.checkName.replacingUnderscores) found damage: \(result)")
        return Output(stdout: document.text + "\n", stderr: error.document + "\n", exitCode: 1)
      }
      return .success(document.text)
    }
  }

  /// The row count of `table` as JSON, or `null` when damage keeps it from being read.
  private func count(_ db: any Database, _ table: String) -> String {
    (try? db.first("SELECT count(*) FROM \(table)", [])?.integer(0)).map { String($0) } ?? "null"
  }
}

extension String {
  /// `integrity_check` as "integrity check", for messages.
  fileprivate var replacingUnderscores: String {
    String(map { $0 == "_" ? " " : $0 })
  }
}
