#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs `edit`'s command: no shell, `argv[0]` looked up in `PATH` (`posix_spawnp`), `input`
/// on its stdin, its stdout collected, its stderr the caller's.
///
/// stdin is written while stdout is read (`poll`), so a command that prints a lot before
/// it has read everything, or reads nothing at all, never deadlocks with optimist. A command
/// that exits or closes its stdin early does not kill optimist: SIGPIPE is blocked on the
/// writing thread while it writes (and a pending one taken back), and EPIPE ends the writing.
/// See <https://pubs.opengroup.org/onlinepubs/9799919799/functions/posix_spawn.html>.
public enum Subprocess {
  /// More output than this is refused: an object's JSON is a few kilobytes.
  public static let maximumOutput = 16 << 20

  /// The command's stdout, when it exits with status 0; otherwise EDIT_COMMAND_FAILED saying
  /// how it ended (status, signal, or why it could not be started), or INVALID_VALUE for
  /// output past `maximumOutput`.
  public static func run(_ argv: [String], input: [UInt8]) throws(OptimistError) -> [UInt8] {
    let name = argv.first ?? ""
    func failed(_ status: String) -> OptimistError {
      .editCommandFailed(command: name, status: status)
    }
    guard !name.isEmpty else { throw failed("is empty: give a program to run after `--`") }

    var blocked = sigset_t()
    sigemptyset(&blocked)
    sigaddset(&blocked, SIGPIPE)
    var previousMask = sigset_t()
    pthread_sigmask(SIG_BLOCK, &blocked, &previousMask)
    defer { restoreSignalMask(previousMask, blocked: blocked) }

    var toChild: [Int32] = [-1, -1]
    var fromChild: [Int32] = [-1, -1]
    guard makePipe(&toChild) else { throw failed("could not be started: \(errorText())") }
    guard makePipe(&fromChild) else {
      close(toChild[0])
      close(toChild[1])
      throw failed("could not be started: \(errorText())")
    }

    let spawned = spawn(argv, stdin: toChild[0], stdout: fromChild[1])
    close(toChild[0])
    close(fromChild[1])
    let pid: pid_t
    switch spawned {
    case .failure(let error):
      close(toChild[1])
      close(fromChild[0])
      throw failed("could not be started: \(String(cString: strerror(error.code)))")
    case .success(let child):
      pid = child
    }

    let output = exchange(input: input, writeTo: toChild[1], readFrom: fromChild[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}

    // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
    let signal = status & 0x7F
    if signal != 0 {
      let signalName = String(cString: strsignal(signal))
      throw failed("was killed by signal \(signal) (\(signalName))")
    }
    let code = (status >> 8) & 0xFF
    guard code == 0 else { throw failed("exited with status \(code)") }
    guard let output else {
      throw .invalidValue(
        field: "command",
        detail:
          "The command `\(name)` printed more than \(maximumOutput >> 20) MiB; nothing was written."
      )
    }
    return output
  }

  /// Starts the program with these descriptors as its stdin and stdout, every signal at its
  /// default disposition and none blocked; returns its pid or the errno.
  private static func spawn(_ argv: [String], stdin: Int32, stdout: Int32) -> Result<
    pid_t, SpawnError
  > {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, stdin, 0)
    posix_spawn_file_actions_adddup2(&actions, stdout, 1)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    var words: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
    words.append(nil)
    defer { for word in words { free(word) } }
    var pid: pid_t = 0
    let result = posix_spawnp(&pid, argv[0], &actions, &attributes, words, environ)
    return result == 0 ? .success(pid) : .failure(SpawnError(code: result))
  }

  struct SpawnError: Error {
    let code: Int32
  }

  /// Writes `input` to `writeTo` and reads `readFrom` to its end, at the same time; closes
  /// both. Returns the output, or nil when it grew past `maximumOutput` (the rest is read
  /// and dropped, so that the command can finish).
  private static func exchange(input: [UInt8], writeTo: Int32, readFrom: Int32) -> [UInt8]? {
    var writer: Int32 = writeTo
    _ = fcntl(writer, F_SETFL, fcntl(writer, F_GETFL) | O_NONBLOCK)
    var written = 0
    if input.isEmpty {
      close(writer)
      writer = -1
    }
    var output: [UInt8] = []
    var tooLong = false
    var buffer = [UInt8](repeating: 0, count: 65_536)
    var reading = true
    while reading || writer >= 0 {
      var fds: [pollfd] = []
      if reading { fds.append(pollfd(fd: readFrom, events: Int16(POLLIN), revents: 0)) }
      if writer >= 0 { fds.append(pollfd(fd: writer, events: Int16(POLLOUT), revents: 0)) }
      let ready = poll(&fds, nfds_t(fds.count), -1)
      if ready < 0 {
        if errno == EINTR { continue }
        break
      }
      for entry in fds where entry.revents != 0 {
        if entry.fd == readFrom {
          let count = buffer.withUnsafeMutableBytes { read(readFrom, $0.baseAddress, $0.count) }
          if count > 0 {
            if output.count + count > maximumOutput {
              tooLong = true
            } else if !tooLong {
              output.append(contentsOf: buffer[0..<count])
            }
          } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            reading = false
          }
        } else {
          let count = input.withUnsafeBytes { bytes -> Int in
            guard let base = bytes.baseAddress else { return -1 }
            return write(writer, base + written, min(bytes.count - written, 65_536))
          }
          if count > 0 {
            written += count
          }
          // EPIPE (the command closed its stdin) or any other error: stop writing.
          if written == input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
            close(writer)
            writer = -1
          }
        }
      }
    }
    if writer >= 0 { close(writer) }
    close(readFrom)
    return tooLong ? nil : output
  }

  /// Takes back a SIGPIPE that writing raised on this thread, then restores the mask.
  private static func restoreSignalMask(_ previous: sigset_t, blocked: sigset_t) {
    var previous = previous
    var blocked = blocked
    if sigismember(&previous, SIGPIPE) == 0 {
      var pending = sigset_t()
      sigpending(&pending)
      if sigismember(&pending, SIGPIPE) == 1 {
        var now = timespec(tv_sec: 0, tv_nsec: 0)
        _ = sigtimedwait(&blocked, nil, &now)
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous, nil)
  }

  /// A pipe whose two ends close on exec (the child gets its copies through dup2 only).
  /// optimist starts no other process meanwhile, so no other child can inherit them.
  private static func makePipe(_ ends: inout [Int32]) -> Bool {
    guard pipe(&ends) == 0 else { return false }
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    return true
  }

  private static func errorText() -> String { String(cString: strerror(errno)) }
}
