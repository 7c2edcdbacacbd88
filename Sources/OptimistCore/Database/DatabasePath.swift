#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the database lives: `--db`, else `$OPTIMIST_DB`, else
/// `$XDG_DATA_HOME/optimist/optimist.db`, else `~/.local/share/optimist/optimist.db`.
///
/// The location may also be a PostgreSQL URL (`Engines` tells them apart); what a SQLite path
/// must be is checked by the SQLite engine (OptimistSQLite's `DatabasePath.prepare`).
public enum DatabasePath {
  /// Resolves the path by the rules above; empty variables count as unset.
  public static func resolve(
    option: String?,
    environment: (String) throws(OptimistError) -> String? = DatabasePath.environment
  ) throws(OptimistError) -> String {
    if let option {
      guard !option.isEmpty else {
        throw .storage("The database path given with --db is empty.")
      }
      return option
    }
    if let path = try environment("OPTIMIST_DB"), !path.isEmpty { return path }
    if let data = try environment("XDG_DATA_HOME"), !data.isEmpty {
      return data + "/optimist/optimist.db"
    }
    if let home = try environment("HOME"), !home.isEmpty {
      return home + "/.local/share/optimist/optimist.db"
    }
    throw .storage("No database path: pass --db PATH, or set OPTIMIST_DB or HOME.")
  }

  /// The process environment; a value that is not valid UTF-8 is refused rather than
  /// repaired into another path.
  public static func environment(_ name: String) throws(OptimistError) -> String? {
    guard let value = getenv(name) else { return nil }
    guard let text = String(validatingCString: value) else {
      throw .storage("The environment variable \(name) is not valid UTF-8.")
    }
    return text
  }
}
