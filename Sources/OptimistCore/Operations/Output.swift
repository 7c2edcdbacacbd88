/// What a command prints and how it exits.
public struct Output: Equatable, Sendable {
  /// JSON for stdout, with its trailing newline; may be empty.
  public var stdout: String
  /// Square's error document for stderr, with its trailing newline; may be empty.
  public var stderr: String
  public var status: ExitStatus

  public init(stdout: String, stderr: String = "", status: ExitStatus = .success) {
    self.stdout = stdout
    self.stderr = stderr
    self.status = status
  }

  /// Success: one JSON document on stdout.
  public static func success(_ json: String) -> Output { Output(stdout: json + "\n") }

  /// A refused or failed command: the error document on stderr, nothing on stdout.
  public init(error: OptimistError) {
    self.init(stdout: "", stderr: error.document + "\n", status: error.exitStatus)
  }
}

/// The entry point of every command: opens the store lazily and turns any error into its
/// documented exit status and Square error document.
///
/// `body` validates its request before it touches the store, so a refused request never
/// creates or changes the database.
public func runCommand(
  database: String?, timeout: Double, _ body: (any StoreEngine) throws -> Output
) -> Output {
  do {
    let location = try DatabasePath.resolve(option: database)
    return try body(Engines.open(location, timeout: timeout))
  } catch {
    return Output(error: OptimistError(error, timeout: timeout))
  }
}
