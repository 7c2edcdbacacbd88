/// Random object ids like Square's: 26 characters of upper-case RFC 4648 base32 (A–Z, 2–7).
public enum ObjectID {
  static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
  public static let length = 26

  /// A new id with 130 random bits from the system generator.
  public static func make() -> String {
    var generator = SystemRandomNumberGenerator()
    return make(using: &generator)
  }

  public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(length)
    var bits = generator.next() as UInt64
    var left = 64
    for _ in 0..<length {
      if left < 5 {
        bits = generator.next()
        left = 64
      }
      bytes.append(alphabet[Int(bits & 31)])
      bits >>= 5
      left -= 5
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Whether `text` has the shape of an id (it may still name nothing).
  public static func isWellFormed(_ text: String) -> Bool {
    text.utf8.count == length && text.utf8.allSatisfy { alphabet.contains($0) }
  }
}
