import OptimistCore

struct Doctor: Subcommand {
  static let about = About(
    "doctor",
    abstract:
      "Check the database: optimist's version, path, versions, counts and PRAGMA integrity_check (exit 1 if damaged).",
    discussion: [
      "The report goes to stdout even when it finds damage. A missing database exits 1."
    ],
    examples: ["optimist doctor --db ./shop.db"])

  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { try $0.doctor(Optimist.build).printed }
  }
}
