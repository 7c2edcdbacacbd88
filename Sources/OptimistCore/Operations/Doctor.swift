extension Store {
  /// Reports the path, SQLite version, journal mode, schema version, counts and
  /// `PRAGMA integrity_check`; exits 1 when the check finds damage, the report still on stdout.
  ///
  /// See <https://www.sqlite.org/pragma.html#pragma_integrity_check>.
  public func doctor() throws -> Output {
    try read { db in
      guard !isMissing else { throw OptimistError.storage("There is no database at `\(path)`.") }
      // The check first: a damaged table can make the counts below fail.
      let problems = try db.prepare("PRAGMA integrity_check").rows().compactMap { $0.text(0) }
      let integrity = problems == ["ok"] ? "ok" : problems.joinedFast("; ")
      var counts = JSONObject()
      for type in ObjectType.allCases {
        counts.addRaw(type.table, count(db, type.table))
      }
      let synchronous = try db.first("PRAGMA synchronous")?.integer(0)
      var document = JSONObject()
      document.add("path", path)
      document.add("sqlite_version", Connection.libraryVersion)
      document.add("journal_mode", try db.first("PRAGMA journal_mode")?.text(0))
      document.add("synchronous", synchronous.map { ["off", "normal", "full", "extra"][Int($0) & 3] })
      document.add("schema_version", try db.first("PRAGMA user_version")?.integer(0))
      document.addRaw("objects", counts.text)
      document.addRaw("idempotency_keys", count(db, "idempotency_keys"))
      document.add("integrity_check", integrity)
      guard integrity == "ok" else {
        let error = OptimistError.storage("The integrity check found damage: \(integrity)")
        return Output(stdout: document.text + "\n", stderr: error.document + "\n", exitCode: 1)
      }
      return .success(document.text)
    }
  }

  /// The row count of `table` as JSON, or `null` when damage keeps it from being read.
  private func count(_ db: Connection, _ table: String) -> String {
    (try? db.first("SELECT count(*) FROM \(table)")?.integer(0)).map { String($0) } ?? "null"
  }
}
