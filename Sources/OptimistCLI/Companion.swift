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

  /// Replaces this process with `optimist-pg` and the same arguments when the store is a
  /// PostgreSQL URL and this binary has no PostgreSQL engine; returns otherwise. A missing
  /// helper is a storage error (exit 1).
  static func runIfNeeded() {
    guard Engines.postgres == nil, let location = storeLocation(), Engines.isPostgres(location)
    else { return }
    let helper = besideThisExecutable(postgres)
    var arguments: [UnsafeMutablePointer<CChar>?] = [strdup(helper)]
    for index in 1..<max(1, Int(CommandLine.argc)) { arguments.append(CommandLine.unsafeArgv[index]) }
    arguments.append(nil)
    execv(helper, arguments)
    // Only a failed exec returns. The URL is not repeated: it may hold a password.
    let reason = String(cString: strerror(errno))
    emit(
      Output(
        error: .storage(
          "A PostgreSQL URL needs \(postgres) beside optimist, and `\(helper)` cannot be run "
            + "(\(reason)). Install both with `make install`.")))
    exit(1)
  }

  /// The value of the first `--db` (`--db X` or `--db=X`), else `$OPTIMIST_DB`.
  static func storeLocation(_ arguments: [String] = CommandLine.arguments) -> String? {
    var index = 1
    while index < arguments.count {
      let word = arguments[index]
      if word == "--db" { return index + 1 < arguments.count ? arguments[index + 1] : nil }
      if word.hasPrefix("--db=") { return String(word.dropFirst(5)) }
      if word == "--" { break }
      index += 1
    }
    guard let value = getenv("OPTIMIST_DB") else { return nil }
    return String(cString: value)
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
