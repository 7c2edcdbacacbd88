/// What this optimist is: its version, the commit it was built from and the SQLite library
/// it runs with. `optimist --version` prints it as a line, `doctor` as the `optimist` object
/// of its report; the executable builds it (the version and commit are compiled into the
/// CLI, the SQLite version is the linked library's `sqlite3_libversion()`).
public struct BuildInfo: Sendable, Equatable {
  /// e.g. "0.1.0+183.gc52987a": see Packaging/version.sh.
  public let version: String
  /// 40 hex digits, or "unknown" for a build outside a clone.
  public let commit: String
  /// e.g. "3.40.1"; nil where SQLite is not linked.
  public let sqliteVersion: String?

  public init(version: String, commit: String, sqliteVersion: String?) {
    self.version = version
    self.commit = commit
    self.sqliteVersion = sqliteVersion
  }

  /// `optimist --version`: "optimist 0.1.0+183.gc52987a (commit c52987a…, SQLite 3.40.1)".
  public var line: String {
    "optimist \(version) (commit \(commit), SQLite \(sqliteVersion ?? "not linked"))"
  }

  /// `{"version":…,"commit":…,"sqlite_version":…}`, for `doctor`.
  public var json: String {
    var object = JSONObject(capacity: 128)
    object.add("version", version)
    object.add("commit", commit)
    object.add("sqlite_version", sqliteVersion)
    return object.text
  }
}
