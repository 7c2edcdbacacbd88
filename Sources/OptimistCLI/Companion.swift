import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs `optimist-pg`, found beside this executable, for a PostgreSQL store, the way `git`
/// runs `git-*` helpers (git's `execv_dashed_external`): the SQLite binary stays static and
/// light, and only PostgreSQL users load libpq.
enum Companion {
  /// The helper's name.
  static let postgres = "optimist-pg"

  /// Makes this binary run `optimist-pg` for PostgreSQL stores, unless it has the engine
  /// itself. The hook fires when a command opens its store, so `--db`, `$OPTIMIST_DB` and
  /// the defaults are read exactly as for SQLite, by the same parser.
  static func install() {
    if Engines.postgres == nil { Engines.postgres = { _, _ in runPostgres() } }
  }

  /// Replaces this process with `optimist-pg` and the same arguments. Only a failed exec
  /// returns: that is a storage error (exit 1).
  static func runPostgres() -> Never {
    let helper = besideThisExecutable(postgres)
    var arguments: [UnsafeMutablePointer<CChar>?] = [strdup(helper)]
    for index in 1..<max(1, Int(CommandLine.argc)) { arguments.append(CommandLine.unsafeArgv[index]) }
    arguments.append(nil)
    execv(helper, arguments)
    // The URL is not repeated: it may hold a password.
    let reason = String(cString: strerror(errno))
    emit(
      Output(
        error: .storage(
          "A PostgreSQL URL needs \(postgres) beside optimist, and `\(helper)` cannot be run "
            + "(\(reason)). Install both with `make install`.")))
    exit(1)
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
