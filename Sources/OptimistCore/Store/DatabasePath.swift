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
  }

  static func systemError() -> String { String(cString: strerror(errno)) }
}
