import ArgumentParser
import OptimistCore

/// The command tree; `main()` is the whole program (the executable only calls it).
public struct Optimist: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "optimist",
    abstract:
      "Versioned customers, catalog items and idempotent payments in a local SQLite database.",
    discussion: """
      Every stored object carries a version that only optimist changes. `update` and `delete`
      refuse a stale version with VERSION_MISMATCH (exit 3) and change nothing: get the object
      again and retry. `create-payment --key K` charges at most once per key.

      JSON goes to stdout, Square-style error documents to stderr. Exit codes: 0 success,
      1 storage error, 2 invalid request, 3 version mismatch, 4 not found, 5 idempotency key
      reused, 6 card declined, 64 malformed command line, 75 database locked past --timeout.
      """,
    version: "optimist 0.1.0",
    subcommands: fastSubcommands
  )

  /// Every subcommand; each can also read a plain command line without reflection.
  static let fastSubcommands: [any FastParsable.Type] = [
    CreateCustomer.self, CreateItem.self, CreatePayment.self, Get.self, List.self, Update.self,
    Delete.self, PruneKeys.self, Doctor.self,
  ]

  public init() {}

  public static func main() {
    if let error = CommandLineText.invalidUTF8Argument() {
      emit(Output(error: error))
    }
    Companion.install()
    let arguments = Array(CommandLine.arguments.dropFirst())
    // A plain command line skips ArgumentParser's reflection (FastSyntax); otherwise a named
    // subcommand is parsed on its own, which reflects over its options only, not the tree.
    if let name = arguments.first,
      let subcommand = fastSubcommands.first(where: { $0.configuration.commandName == name })
    {
      if !subcommand.runFast(arguments.dropFirst()) {
        subcommand.main(Array(arguments.dropFirst()))
      }
      return
    }
    main(arguments)
  }
}
