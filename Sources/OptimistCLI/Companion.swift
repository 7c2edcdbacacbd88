import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs `optimist-pg` (for a PostgreSQL store) or `optimist-serve` (for `serve`), found
/// beside this executable, the way `git` runs `git-*` helpers (git's `execv_dashed_external`):
/// the SQLite binary stays static and light, only PostgreSQL users load libpq, and only the
/// server links SwiftNIO. The other way round, `optimist-pg` links no SQLite and runs
/// `optimist` for a path, so that its own start-up loads only what PostgreSQL needs.
enum Companion {
  /// The helpers' names, and the static CLI's.
  static let postgres = "optimist-pg"
  static let server = "optimist-serve"
  static let sqlite = "optimist"

  /// Makes this binary run `optimist-pg` for PostgreSQL stores and `optimist` for SQLite
  /// stores, unless it has that engine itself. The hook fires when a command opens its store,
  /// so `--db`, `$OPTIMIST_DB` and the defaults are read exactly as for the engine it has, by
  /// the same parser.
  static func install() {
    if Engines.postgres == nil { Engines.postgres = { _, _ in runPostgres() } }
    if Engines.sqlite == nil { Engines.sqlite = { _, _ in runSQLite() } }
  }

  /// Replaces this process with `optimist-pg` and the same arguments. Only a failed exec
  /// returns: that is a storage error (exit 1).
  static func runPostgres() -> Never {
    // The URL is not repeated: it may hold a password.
    run(postgres, needed: "A PostgreSQL URL needs \(postgres) beside optimist")
  }

  /// Replaces this process (`optimist-pg`, which links no SQLite) with `optimist` and the
  /// same arguments (exit 1 if it fails).
  static func runSQLite() -> Never {
    run(sqlite, needed: "A SQLite database needs \(sqlite) beside \(postgres)")
  }

  /// Replaces this process with `optimist-serve` and the same arguments (exit 1 if it fails).
  static func runServer() -> Never {
    run(server, needed: "optimist serve needs \(server) beside optimist")
  }

  /// Execs the helper `name` with this process's arguments; only a failed exec returns, as a
  /// storage error (exit 1) saying `needed`.
  private static func run(_ name: String, needed: String) -> Never {
    let helper = besideThisExecutable(name)
    // This process's own argument vector, its first word made the helper's path: building a
    // Swift array of C strings instead would instantiate that array type's metadata, a third
    // of what this process does before the exec (BENCHMARKS.md, PostgreSQL).
    if CommandLine.argc > 0 {
      CommandLine.unsafeArgv[0] = strdup(helper)
      execv(helper, CommandLine.unsafeArgv)
    } else {
      execv(helper, [strdup(helper), nil])
    }
    let reason = String(cString: strerror(errno))
    let error = OptimistError.storage(
      "\(needed), and `\(helper)` cannot be run (\(reason)). Install the Debian package \(name), "
        + "or the release archive's bin/ or `make install`, which hold all three.")
    emit(StoredAnswer(refusal: error))
    exit(error.exitStatus.code)
  }

  /// `name` in the folder of the running executable (`/proc/self/exe`, else `argv[0]`).
  static func besideThisExecutable(_ name: String) -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
    let executable =
      count > 0
      ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      : CommandLine.arguments.first ?? ""
    guard let slash = executable.lastIndex(of: "/") else { return name }
    return String(executable[...slash]) + name
  }
}
