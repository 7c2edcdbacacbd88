extension Store {
  /// Reports the path, SQLite version, journal mode, schema version, counts and
  /// `PRAGMA integrity_check`; exits 1 when the check finds damage.
  ///
  /// See <https://www.sqlite.org/pragma.html#pragma_integrity_check>.
  public func doctor() throws -> Output {
    try read { db in
      var counts = JSONObject()
      for type in ObjectType.allCases {
        counts.add(type.table, try db.first("SELECT count(*) FROM \(type.table)")?.integer(0))
      }
      let problems = try db.prepare("PRAGMA integrity_check").rows().compactMap { $0.text(0) }
      let integrity = problems == ["ok"] ? "ok" : problems.joined(separator: "; ")
      var document = JSONObject()
      document.add("path", path)
      document.add("sqlite_version", Connection.libraryVersion)
      document.add("journal_mode", try db.first("PRAGMA journal_mode")?.text(0))
      let synchronous = try db.first("PRAGMA synchronous")?.integer(0)
      document.add("synchronous", synchronous.map { ["off", "normal", "full", "extra"][Int($0) & 3] })
      document.add("schema_version", try db.first("PRAGMA user_version")?.integer(0))
      document.addRaw("objects", counts.text)
      document.add("idempotency_keys", try db.first("SELECT count(*) FROM idempotency_keys")?.integer(0))
      document.add("integrity_check", integrity)
      guard integrity == "ok" else {
        let error = OptimistError.storage("The integrity check found damage: \(integrity)")
        return Output(stdout: document.text + "\n", stderr: error.document + "\n", exitCode: 1)
      }
      return .success(document.text)
    }
  }
}
