import CSQLite

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the database lives: `--db`, else `$OPTIMIST_DB`, else
/// `$XDG_DATA_HOME/optimist/optimist.db`, else `~/.local/share/optimist/optimist.db`.
public enum DatabasePath {
  /// Resolves the path by the rules above; empty variables count as unset.
  public static func resolve(
    option: String?, environment: (String) -> String? = DatabasePath.environment
  ) throws(OptimistError) -> String {
    if let option {
      guard !option.isEmpty else {
        throw .storage("The database path given with --db is empty.")
      }
      return option
    }
    if let path = environment("OPTIMIST_DB"), !path.isEmpty { return path }
    if let data = environment("XDG_DATA_HOME"), !data.isEmpty {
      return data + "/optimist/optimist.db"
    }
    if let home = environment("HOME"), !home.isEmpty {
      return home + "/.local/share/optimist/optimist.db"
    }
    throw .storage("No database path: pass --db PATH, or set OPTIMIST_DB or HOME.")
  }

  /// The process environment.
  public static func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
  }

  /// Creates the missing parent folders of `path` (mode 0700) and refuses paths that
  /// are folders; leaves everything that exists as it is.
  static func prepare(_ path: String) throws(OptimistError) {
    var info = stat()
    if stat(path, &info) == 0 {
      if (info.st_mode & S_IFMT) == S_IFDIR {
        throw .storage("The database path `\(path)` is a directory, not a database file.")
      }
      try refuseNetworkFileSystem(path)
      // SQLite takes a file of fewer than 512 bytes (its smallest page) for an empty
      // database and would write over it; no real database is that small.
      if info.st_size > 0 && info.st_size < 512 {
        throw .storage("`\(path)` is not a SQLite database (it is only \(info.st_size) bytes).")
      }
      return
    }
    guard errno == ENOENT else {
      throw .storage("The database path `\(path)` cannot be used: \(systemError()).")
    }
    var parent = ""
    let components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    for (index, component) in components.enumerated() {
      parent += (index == 0 ? "" : "/") + component
      if parent.isEmpty || component.isEmpty || component == "." { continue }
      if mkdir(parent, 0o700) != 0 && errno != EEXIST {
        throw .storage("Cannot create the folder `\(parent)` for the database: \(systemError()).")
      }
    }
    try refuseNetworkFileSystem(parent.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : parent)
  }

  static func systemError() -> String { String(cString: strerror(errno)) }

  /// File systems whose locks SQLite cannot rely on (<https://www.sqlite.org/faq.html#q5>),
  /// by `statfs` magic number: NFS, SMB/CIFS, AFS, Coda and 9P.
  static let networkFileSystems: [Int: String] = [
    0x6969: "NFS", 0x517B: "SMB", 0xFF53_4D42: "CIFS", 0xFE53_4D42: "SMB2", 0x5346_414F: "AFS",
    0x7375_7245: "Coda", 0x0102_1997: "9P",
  ]

  /// Refuses a database on a network file system, where two machines' writers could both
  /// think they hold the lock; `OPTIMIST_ALLOW_NETWORK_FS=1` accepts it anyway.
  static func refuseNetworkFileSystem(_ path: String) throws(OptimistError) {
    #if os(Linux)
      var info = statfs()
      guard statfs(path, &info) == 0, let name = networkFileSystems[Int(info.f_type)],
        environment("OPTIMIST_ALLOW_NETWORK_FS") != "1"
      else { return }
      throw .storage(
        "`\(path)` is on a network file system (\(name)), where SQLite's locks do not hold "
          + "and concurrent writers can corrupt it. Keep the database on a local disk, or set "
          + "OPTIMIST_ALLOW_NETWORK_FS=1 if only one machine ever uses it.")
    #endif
  }
}
