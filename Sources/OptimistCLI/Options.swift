import ArgumentParser
import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `--db` and `--timeout`, accepted by every subcommand.
struct StoreOptions: ParsableArguments {
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The SQLite database file, or a postgresql:// URL (default: $OPTIMIST_DB, else $XDG_DATA_HOME/optimist/optimist.db, else ~/.local/share/optimist/optimist.db).",
      valueName: "path"))
  var db: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Seconds to wait for a database locked by another process (exit 75 after).",
      valueName: "seconds"))
  var timeout: Double = StoreOptions.defaultTimeout

  static let defaultTimeout = 10.0

  func validate() throws {
    guard timeout.isFinite, timeout >= 0, timeout <= 86_400 else {
      throw ValidationError("--timeout must be a number of seconds from 0 to 86400.")
    }
  }

  /// Runs `body` against the store and prints its output; a non-zero exit ends the process.
  func run(_ body: (any StoreEngine) throws -> Output) {
    emit(runCommand(database: db, timeout: timeout, body))
  }
}

/// Prints an output and exits with its code when that is not 0.
///
/// An answer that cannot be written (a full disk, a closed pipe) exits 1: the script did not
/// get it, and repeating the command (with its idempotency key) is the way to get it again.
func emit(_ output: Output) {
  guard writeAll(output.stdout, to: STDOUT_FILENO) else {
    let error = OptimistError.storage("The answer could not be written to stdout.")
    _ = writeAll(error.document + "\n", to: STDERR_FILENO)
    exit(error.exitCode)
  }
  _ = writeAll(output.stderr, to: STDERR_FILENO)
  if output.exitCode != 0 { exit(output.exitCode) }
}

/// Writes every byte of `text`, retrying short writes and interrupted calls.
private func writeAll(_ text: String, to descriptor: Int32) -> Bool {
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

/// Checks the raw arguments: the parser would silently repair invalid UTF-8.
enum CommandLineText {
  static func invalidUTF8Argument() -> OptimistError? {
    for index in 1..<max(1, Int(CommandLine.argc)) {
      guard let pointer = CommandLine.unsafeArgv[index] else { continue }
      let bytes = UnsafeBufferPointer(start: pointer, count: strlen(pointer))
      let valid = bytes.withMemoryRebound(to: UInt8.self) {
        String(validating: $0, as: UTF8.self) != nil
      }
      if !valid {
        return .invalidValue(field: nil, detail: "Argument \(index) is not valid UTF-8 text.")
      }
    }
    return nil
  }
}
