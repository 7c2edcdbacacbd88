@testable import OptimistCore

/// What the CLI prints for an answer (`Answer.printed`, `Keyed.printed`), or for the error
/// thrown instead: the tests read the operations' answers as a user sees them.
typealias Output = StoredAnswer

/// A command run as the CLI runs it: the store at `database` opened lazily (`withStore`),
/// its answer or error printed.
func runCommand(
  database: String?, timeout: Double, _ body: (any StoreEngine) throws -> StoredAnswer
) -> StoredAnswer {
  switch withStore(database: database, timeout: timeout, body) {
  case .success(let answer): return answer
  case .failure(let error): return StoredAnswer(refusal: error)
  }
}

/// Typed changes from `--set FIELD=VALUE` and `--unset FIELD` words, as the CLI parses them.
func changes(set: [String], unset: [String] = []) throws -> [FieldChange] {
  var given: [(field: String, value: String?)] = []
  for assignment in set {
    guard let equals = assignment.firstIndex(of: "=") else {
      throw OptimistError.invalidValue(
        field: nil, detail: "`--set \(assignment)` needs FIELD=VALUE.")
    }
    given.append(
      (String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...])))
  }
  given += unset.map { ($0, nil) }
  return try FieldChange.list(given) { (field, raw) throws(OptimistError) in try field.parse(raw) }
}
