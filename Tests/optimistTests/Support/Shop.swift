import Foundation
import Testing

/// A small database to refuse commands against: one customer, one item, one payment.
struct Shop {
  /// Given name "Ada" and a note: its only name/contact field is `given_name`.
  let customer: String
  /// Name "Coffee".
  let item: String
  /// 450 USD, created with the idempotency key `first-key`.
  let payment: String

  /// A well-formed id that names nothing.
  static let missing = "AAAAAAAAAAAAAAAAAAAAAAAAAA"

  /// The arguments of the payment in the shop, so a test can replay or vary it.
  static let paymentArguments = [
    "create-payment", "--key", "first-key", "--amount", "450", "--currency", "USD", "--source-id",
    "cnon:card-nonce-ok",
  ]

  init(_ sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) {
    customer = sandbox.create(
      "create-customer", "--given-name", "Ada", "--note", "regular", sourceLocation: sourceLocation)
    item = sandbox.create("create-item", "--name", "Coffee", sourceLocation: sourceLocation)
    let payment = sandbox.run(Shop.paymentArguments).expectSuccess(sourceLocation: sourceLocation)
    self.payment = payment["id"] as? String ?? "MISSING-ID"
  }

  /// `arguments` with `{C}`, `{I}`, `{P}` and `{MISSING}` replaced by the shop's ids.
  func fill(_ arguments: [String]) -> [String] {
    arguments.map {
      $0.replacingOccurrences(of: "{C}", with: customer)
        .replacingOccurrences(of: "{I}", with: item)
        .replacingOccurrences(of: "{P}", with: payment)
        .replacingOccurrences(of: "{MISSING}", with: Shop.missing)
    }
  }
}

/// A command line a test table refers to, shown shortened in test names.
struct CommandLineCase: Sendable, CustomTestStringConvertible {
  let arguments: [String]
  let exit: Int32
  let code: String
  /// The `field` expected on the error; `.some(nil)` when there must be none, nil to not check.
  let field: String??

  init(_ arguments: [String], _ exit: Int32, _ code: String, field: String?? = nil) {
    self.arguments = arguments
    self.exit = exit
    self.code = code
    self.field = field
  }

  var testDescription: String {
    let shown = arguments.map { $0.count > 24 ? "<\($0.unicodeScalars.count) chars>" : $0 }
    return "\(shown.joined(separator: " ")) -> \(exit) \(code)"
  }
}
