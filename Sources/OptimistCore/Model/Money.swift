/// An amount of money in the currency's smallest unit (cents for USD), as Square writes it:
/// `{"amount":N,"currency":"USD"}`.
public struct Money: Sendable, Equatable, Encodable {
  public let amount: Int64
  public let currency: Currency

  public init(amount: Int64, currency: Currency) {
    self.amount = amount
    self.currency = currency
  }

  /// A whole number of the currency's smallest unit given as text: positive, or (a tip) at
  /// least 0; `field` names it in the error.
  public static func amount(
    _ raw: String, field: String, positive: Bool
  ) throws(OptimistError) -> Int64 {
    guard let value = Values.wholeNumber(raw) else {
      throw badAmount(raw, field: field, positive: positive)
    }
    return try amount(value, field: field, positive: positive, given: raw)
  }

  /// `value` if it is positive, or (a tip) at least 0.
  public static func amount(
    _ value: Int64, field: String, positive: Bool, given: String? = nil
  ) throws(OptimistError) -> Int64 {
    guard positive ? value > 0 : value >= 0 else {
      throw badAmount(given ?? String(value), field: field, positive: positive)
    }
    return value
  }

  private static func badAmount(_ raw: String, field: String, positive: Bool) -> OptimistError {
    .invalidValue(
      field: field,
      detail:
        "`\(field)` must be a \(positive ? "positive" : "non-negative") whole number of the "
        + "currency's smallest unit, not `\(raw)`.")
  }
}
