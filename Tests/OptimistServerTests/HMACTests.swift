import Testing

@testable import OptimistServer

/// The webhook signature's HMAC-SHA256, against FIPS 180-4's and RFC 4231's vectors.
@Suite struct HMACTests {
  func hex(_ bytes: [UInt8]) -> String {
    bytes.map {
      String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
    }
    .joined()
  }

  @Test func sha256MatchesTheStandardsVectors() {
    #expect(
      hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      hex(SHA256.hash(Array("abc".utf8)))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    // Two blocks of padding, and a message of exactly 64 bytes.
    #expect(
      hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      hex(SHA256.hash([UInt8](repeating: 0x61, count: 64)))
        == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
  }

  @Test func hmacMatchesRFC4231() {
    // Test case 1, 2 and 6 (a key longer than a block).
    #expect(
      hex(
        HMAC.sha256HMAC(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
        == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    #expect(
      hex(
        HMAC.sha256HMAC(
          key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    #expect(
      hex(
        HMAC.sha256HMAC(
          key: [UInt8](repeating: 0xaa, count: 131),
          message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
        == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
  }

  @Test func base64PadsAsRFC4648() {
    #expect(HMAC.base64([]) == "")
    #expect(HMAC.base64(Array("f".utf8)) == "Zg==")
    #expect(HMAC.base64(Array("fo".utf8)) == "Zm8=")
    #expect(HMAC.base64(Array("foo".utf8)) == "Zm9v")
    #expect(HMAC.base64(Array("foobar".utf8)) == "Zm9vYmFy")
  }
}
