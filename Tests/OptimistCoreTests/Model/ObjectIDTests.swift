import Testing

@testable import OptimistCore

@Suite struct ObjectIDTests {
  static let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

  @Test func idsAre26CharactersOfUpperCaseBase32() {
    for _ in 0..<2000 {
      let id = ObjectID.make()
      #expect(id.count == 26)
      #expect(id.utf8.count == 26)
      #expect(id.allSatisfy { Self.alphabet.contains($0) }, "\(id)")
      #expect(ObjectID.isWellFormed(id))
    }
  }

  @Test func idsAreDistinct() {
    let ids = (0..<10_000).map { _ in ObjectID.make() }
    #expect(Set(ids).count == ids.count)
  }

  /// Every position carries randomness: across many draws each shows most of the alphabet.
  @Test func everyPositionVaries() {
    var generator = SeededGenerator(seed: 7)
    let ids = (0..<3000).map { _ in Array(ObjectID.make(using: &generator)) }
    for position in 0..<26 {
      let seen = Set(ids.map { $0[position] })
      #expect(seen.count == 32, "position \(position) showed \(seen.count) letters")
    }
  }

  @Test func sameSeedGivesTheSameIDs() {
    var first = SeededGenerator(seed: 99)
    var second = SeededGenerator(seed: 99)
    var third = SeededGenerator(seed: 100)
    let a = ObjectID.make(using: &first)
    #expect(a == ObjectID.make(using: &second))
    #expect(a != ObjectID.make(using: &third))
    #expect(ObjectID.make(using: &first) != a)
  }

  @Test(arguments: [
    "", "A", String(repeating: "A", count: 25), String(repeating: "A", count: 27),
    String(repeating: "a", count: 26), String(repeating: "A", count: 25) + "0",
    String(repeating: "A", count: 25) + "1", String(repeating: "A", count: 25) + "8",
    String(repeating: "A", count: 25) + "9", String(repeating: "A", count: 25) + "=",
    String(repeating: "A", count: 25) + "É", String(repeating: "A", count: 24) + "É",
    String(repeating: "A", count: 25) + " ", " " + String(repeating: "A", count: 25),
  ])
  func malformedTextIsNotAnID(text: String) {
    #expect(!ObjectID.isWellFormed(text))
  }

  @Test func wellFormedNeedsOnlyTheShape() {
    #expect(ObjectID.isWellFormed("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    #expect(ObjectID.isWellFormed("234567234567234567234567AB"))
  }
}
