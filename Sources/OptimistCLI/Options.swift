import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `--db`, `--timeout` and `--color`, accepted by every subcommand (`serve` takes no `--color`:
/// it prints one line, never to a terminal).
///
/// A malformed `--timeout` or `--color` is a value optimist refuses (exit 2, a JSON error
/// naming the field), as every other value is: exit 64 is only for words that do not fit the
/// command (see README's "Exit codes"). The refusal is kept here and answered by `run`
/// before the store is opened.
struct StoreOptions: Sendable {
  let db: String?
  let timeout: Double
  let style: JSONStyle

  /// `wait`'s `--timeout`: how long to wait for the change (nil: until it comes). Its lock
  /// waits are bounded by `timeout`, the lesser of this and `defaultTimeout`.
  let waitLimit: Double?

  /// The first malformed value among `--timeout` and `--color`, if any.
  let refusal: OptimistError?

  static let defaultTimeout = 10.0

  /// The options; `waiting` gives `--timeout` wait's meaning (see `waitLimit`), described by
  /// `waitHelp` where the command says it otherwise; `color` declares `--color`.
  init(
    _ arguments: inout Arguments, waiting: Bool = false, waitHelp: String? = nil,
    color declaresColor: Bool = true
  ) {
    db = arguments.option(
      "db", value: "path",
      help:
        "The SQLite database file, or a postgresql:// URL (default: $OPTIMIST_DB, else $XDG_DATA_HOME/optimist/optimist.db, else ~/.local/share/optimist/optimist.db).",
      completion: .file)
    let timeout =
      waiting
      ? arguments.option(
        "timeout", value: "seconds",
        help: waitHelp
          ?? "Seconds to wait for the change, 0 to 86400 (exit 8 after); default: until it comes. A database locked longer than 10 seconds (or than this, if less) is exit 75."
      )
      : arguments.option(
        "timeout", value: "seconds",
        help: "Seconds to wait for a database locked by another process (exit 75 after).",
        defaultValue: "10")
    let color =
      declaresColor
      ? arguments.option(
        "color", value: "when",
        help:
          "Colour and indent the JSON: auto (on a terminal, unless $NO_COLOR is set), always or never. Piped output stays compact.",
        completion: .choices { ColorChoice.names }, defaultValue: "auto")
      : nil
    var refusal: OptimistError?
    var waitLimit: Double?
    var lockTimeout = StoreOptions.defaultTimeout
    do throws(OptimistError) {
      if waiting {
        waitLimit = try timeout.map { (text) throws(OptimistError) in
          try StoreOptions.seconds(text)
        }
        lockTimeout = min(StoreOptions.defaultTimeout, waitLimit ?? StoreOptions.defaultTimeout)
      } else {
        lockTimeout = try StoreOptions.seconds(timeout)
      }
    } catch {
      refusal = error
    }
    self.waitLimit = waitLimit
    self.timeout = lockTimeout
    let choice = ColorChoice(color ?? "auto")
    if choice == nil, refusal == nil {
      refusal = .invalidValue(
        field: "color",
        detail: "`color` must be auto, always or never, not `\(color ?? "")`.")
    }
    self.refusal = refusal
    style = arguments.isDescribing ? .compact : JSONStyle.resolve(choice ?? .auto)
  }

  /// `--timeout`: a number of seconds from 0 to 86400.
  static func seconds(_ text: String?) throws(OptimistError) -> Double {
    guard let text else { return defaultTimeout }
    guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds <= 86_400 else {
      throw .invalidValue(
        field: "timeout",
        detail: "`timeout` must be a number of seconds from 0 to 86400, not `\(text)`.")
    }
    return seconds
  }

  /// Runs `body` against the store and prints its answer (`Answer.printed`, or a keyed
  /// answer's, replayed byte for byte); a non-zero exit ends the process.
  func run(_ body: (any StoreEngine) throws -> StoredAnswer) {
    emit(runCommand(body), style: style)
  }

  /// The store named by `--db` (or its defaults) given to `body` (`withStore`); any error
  /// printed as its Square error document, with its exit code.
  func runCommand(_ body: (any StoreEngine) throws -> StoredAnswer) -> StoredAnswer {
    if let refusal { return StoredAnswer(refusal: refusal) }
    switch withStore(database: db, timeout: timeout, body) {
    case .success(let answer): return answer
    case .failure(let error): return StoredAnswer(refusal: error)
    }
  }
}

/// Help for options of the same meaning in several commands (each command still declares
/// its own option).
enum SharedHelp {
  static let key =
    "Idempotency key (1-45 characters): a retry with the same key creates nothing new."
}

/// Prints an output and exits with its code when that is not 0.
///
/// An answer that cannot be written (a full disk, a closed pipe) exits 1: the script did not
/// get it, and repeating the command (with its idempotency key) is the way to get it again.
func emit(_ output: StoredAnswer, style: JSONStyle = .compact) {
  var stdout = output.stdout
  if style.indented, !stdout.isEmpty {
    var printer = JSONPrinter(colored: style.colored)
    stdout = printer.feed(stdout) + printer.finish()
  }
  writeStdout(stdout)
  _ = writeAll(output.stderr, to: STDERR_FILENO)
  if output.status != .success { exit(output.status.code) }
}

/// Writes to stdout; an answer that cannot be written exits 1 (see `emit`).
func writeStdout(_ text: String) {
  guard writeAll(text, to: STDOUT_FILENO) else {
    let error = OptimistError.storage("The answer could not be written to stdout.")
    _ = writeAll(error.document + "\n", to: STDERR_FILENO)
    exit(error.exitStatus.code)
  }
}

/// Writes every byte of `text`, retrying short writes and interrupted calls.
func writeAll(_ text: String, to descriptor: Int32) -> Bool {
  var text = text
  return text.withUTF8 { bytes in
    guard let base = bytes.baseAddress else { return true }
    var offset = 0
    while offset < bytes.count {
      let written = write(descriptor, base + offset, bytes.count - offset)
      if written > 0 {
        offset += written
      } else if written < 0 && errno == EINTR {
        continue
      } else {
        return false
      }
    }
    return true
  }
}

/// The command line's words after the program's name, read from `argv` once.
enum CommandLineText {
  /// The words; the first one that is not UTF-8 is refused (Swift's `CommandLine.arguments`
  /// would silently repair it).
  static func words() throws(OptimistError) -> [String] {
    var words: [String] = []
    words.reserveCapacity(Int(CommandLine.argc))
    for index in 1..<max(1, Int(CommandLine.argc)) {
      guard let pointer = CommandLine.unsafeArgv[index] else { continue }
      guard let word = String(validatingCString: pointer) else {
        throw .invalidValue(field: nil, detail: "Argument \(index) is not valid UTF-8 text.")
      }
      words.append(word)
    }
    return words
  }
}
