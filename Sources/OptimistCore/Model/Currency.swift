/// The ISO 4217 currencies a payment may use (those Square accepts for amounts).
///
/// A sorted array searched by halves, not a `Set`: a set of strings costs the process a
/// runtime protocol-conformance lookup (`String: Hashable`) that walks every conformance
/// record of the static binary, more than the rest of the validation (BENCHMARKS.md).
public struct Currency: Sendable, Equatable, Encodable {
  /// The upper-case ISO 4217 code, e.g. USD.
  public let code: String

  /// `code` if it is supported; UNSUPPORTED_CURRENCY for an unknown code, INVALID_VALUE for
  /// anything not shaped like one.
  public init(_ code: String) throws(OptimistError) {
    self.code = try Currency.validate(code)
  }

  /// A code read back from the store, which only ever holds validated ones.
  init(stored code: String) { self.code = code }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(code)
  }

  /// In ascending order (a test checks it).
  static let codes: [String] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
  ]

  /// `code` if it is supported; UNSUPPORTED_CURRENCY for an unknown code, INVALID_VALUE for
  /// anything not shaped like one.
  static func validate(_ code: String) throws(OptimistError) -> String {
    guard isSupported(code) else {
      if code.utf8.count == 3 && code.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) {
        throw .unsupportedCurrency(code)
      }
      throw .invalidValue(
        field: "amount_money.currency",
        detail: "`currency` must be an upper-case ISO 4217 code such as USD, not `\(code)`."
          + (isSupported(code.uppercased()) ? " Did you mean `\(code.uppercased())`?" : ""))
    }
    return code
  }

  /// Whether `code` is one of the supported upper-case ISO 4217 codes.
  public static func isSupported(_ code: String) -> Bool {
    var low = 0
    var high = codes.count
    while low < high {
      let middle = (low + high) / 2
      if codes[middle] == code { return true }
      if codes[middle] < code { low = middle + 1 } else { high = middle }
    }
    return false
  }
}
