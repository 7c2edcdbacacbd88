import Testing

@testable import OptimistCore

/// The objects a user last saw (KnownStates): what a transaction learns counts once it ends,
/// only its reads when it fails; the bytes read back exactly what was written, and any other
/// bytes, whole or cut anywhere, are nothing known, never a crash.
@Suite struct KnownStatesTests {
  private func customer(_ id: String, version: Int64, note: String? = nil) -> [SQLValue] {
    [.text(id), .integer(version), .integer(1), .integer(2), .text("Ann"), .null, .null]
      + [.text("ann@example.org"), .null, .null, SQLValue(note)]
  }

  private func payment(_ id: String) -> [SQLValue] {
    [.text(id), .integer(1), .integer(2), .integer(450), .integer(0), .integer(0), .text("USD")]
      + [.text("COMPLETED"), .text("cnon:card-nonce-ok"), .null, .null, .text("é ☃"), .text("")]
      + [.text("TOKEN")]
  }

  @Test func whatATransactionLearnsCountsOnceItEndsAndOfAFailedOneOnlyItsReads() {
    let known = KnownStates()
    known.learn(.customer, customer("C1", version: 0), read: true)
    #expect(known.entry(id: "C1")?.values == customer("C1", version: 0))
    #expect(known.keep())
    known.learn(.customer, customer("C1", version: 1), read: false)
    known.learn(.customer, customer("C2", version: 4), read: true)
    known.discard()
    #expect(known.entry(id: "C1")?.values == customer("C1", version: 0))
    #expect(known.entry(id: "C2")?.values == customer("C2", version: 4))
    #expect(known.keep())
    // Read again as known, the most recent: nothing changed (nothing to save).
    known.learn(.customer, customer("C2", version: 4), read: true)
    #expect(!known.keep())
    known.learn(.customer, customer("C1", version: 0), read: true)
    #expect(known.keep())
    known.forget("C1")
    #expect(known.entry(id: "C1") == nil)
    #expect(known.keep())
    #expect(!known.keep())
    // A row of another shape, and refunds, are not kept.
    known.learn(.customer, [.text("C3"), .integer(0)], read: true)
    known.learn(.refund, [.text("R1")] + Array(repeating: .null, count: 5), read: true)
    #expect(!known.keep())
  }

  @Test func theMostRecentObjectsAreKept() {
    let known = KnownStates()
    for index in 0..<(KnownStates.capacity + 5) {
      known.learn(.customer, customer("C\(index)", version: 0), read: true)
      known.keep()
    }
    #expect(known.entry(id: "C0") == nil)
    #expect(known.entry(id: "C4") == nil)
    #expect(known.entry(id: "C5") != nil)
    let decoded = KnownStates(decoding: known.encoded())
    #expect(decoded.entry(id: "C5")?.values == customer("C5", version: 0))
    #expect(decoded.entry(id: "C\(KnownStates.capacity + 4)") != nil)
  }

  @Test func theBytesReadBackWhatWasWritten() {
    let known = KnownStates()
    known.learn(.customer, customer("C1", version: -3, note: "a\u{0}b"), read: true)
    known.learn(.payment, payment("P1"), read: false)
    known.keep()
    let decoded = KnownStates(decoding: known.encoded())
    #expect(decoded.entry(id: "C1")?.values == customer("C1", version: -3, note: "a\u{0}b"))
    #expect(decoded.entry(id: "P1")?.type == .payment)
    #expect(decoded.entry(id: "P1")?.values == payment("P1"))
    #expect(decoded.encoded() == known.encoded())
  }

  @Test func otherBytesAreNothingKnown() {
    let known = KnownStates()
    known.learn(.customer, customer("C1", version: 7), read: true)
    known.learn(.payment, payment("P1"), read: true)
    known.keep()
    let bytes = known.encoded()
    // Cut anywhere before the end: nothing, or (cut between two entries) the entries
    // before the cut, each whole.
    var whole = 0
    for length in 0..<bytes.count {
      let cut = KnownStates(decoding: Array(bytes.prefix(length)))
      #expect(cut.entry(id: "C1") == nil, "cut at \(length)")
      if let payment = cut.entry(id: "P1") {
        #expect(payment.values == self.payment("P1"))
        whole += 1
      }
    }
    #expect(whole == 1)
    // Another format or other tables: nothing.
    var other = bytes
    other[22] = UInt8(ascii: "2")
    #expect(KnownStates(decoding: other).entry(id: "C1") == nil)
    // Every single byte changed in turn: whatever it reads, it does not crash, and what it
    // keeps has its type's shape.
    for index in bytes.indices {
      var changed = bytes
      changed[index] ^= 0x5A
      let decoded = KnownStates(decoding: changed)
      for id in ["C1", "P1"] {
        if let entry = decoded.entry(id: id) {
          #expect(entry.values.count == entry.type.columnCount)
        }
      }
    }
  }
}
