/// Objects as this user last saw them in one store, for a write to speculate on (PostgreSQL).
///
/// A write that changes an object reads it first: its history row, its event and its key's
/// stored answer hold JSON rendered from it, and the rules across fields are checked on it.
/// On PostgreSQL that read is a round trip of its own, before the writes can be sent. When
/// the state this user last saw of the object is known (the command that printed or wrote
/// it kept its row here), a speculative write (`WriteTransaction.isSpeculative`) takes that
/// row as read and sends, with its writes and COMMIT, a check that the stored row is still
/// exactly that one, taking the same row lock the read would have: one round trip. Should
/// any column differ, the server fails the transaction (`Misspeculation.stateChanged`)
/// and the engine runs it again, reading the row.
///
/// A hint, never trusted: every column is compared on the server, so a state kept for a
/// database since dropped, restored or changed by anyone else costs a round trip, never a
/// wrong write. The last `capacity` objects read or written are kept, the most recent first;
/// a deleted object is forgotten. What a transaction learns counts only once it ends, and of
/// one that fails only what it read. `optimist-pg` keeps them in a file per database between
/// commands (OptimistPostgres/KnownStatesFile.swift); the server keeps none.
///
/// They are held as the file's bytes, and an entry is decoded only when a write asks for it:
/// a command that starts, reads one object and saves the file again decodes nothing else.
package final class KnownStates {
  /// One object's row, as `Transaction.selectByID` reads it.
  struct Entry {
    let type: ObjectType
    let values: [SQLValue]
  }

  /// Where one entry stands in `bytes`.
  private struct Place {
    let type: ObjectType
    /// The entry, from its type's name to its last value.
    let range: Range<Int>
    /// Its id's UTF-8.
    let id: Range<Int>
    /// Where its values start.
    let values: Int
  }

  /// How many objects are kept.
  static let capacity = 64

  /// The file's bytes: `header`, then the entries, most recent first.
  private var bytes: [UInt8]
  private var places: [Place]
  /// What a transaction learned (an entry) or forgot (nil) of the object `id`, and whether it
  /// read it (a read row is what was stored, whether the transaction then commits or not) or
  /// wrote it (stored only if it commits). A struct, not a tuple: the runtime would build a
  /// tuple array's metadata in every process that learns.
  private struct Change {
    let id: String
    let entry: Entry?
    let wasRead: Bool
  }

  /// What the running transaction learned or forgot, in order.
  private var pending: [Change] = []

  package init() {
    bytes = Self.header
    places = []
  }

  /// The row kept for `id`, if any.
  func entry(id: String) -> Entry? {
    for change in pending.reversed() where change.id == id { return change.entry }
    let wanted = Array(id.utf8)
    guard let place = places.first(where: { Self.same(bytes, $0.id, wanted) }) else {
      return nil
    }
    var reader = ByteReader(bytes: bytes, offset: place.values)
    var values: [SQLValue] = []
    values.reserveCapacity(place.type.columnCount)
    for _ in 0..<place.type.columnCount {
      guard let value = reader.value() else { return nil }
      values.append(value)
    }
    return Entry(type: place.type, values: values)
  }

  /// Keeps `values`, a row of `type` as read or written (refunds never change: not kept).
  func learn(_ type: ObjectType, _ values: [SQLValue], read: Bool) {
    guard type != .refund, values.count == type.columnCount, case .text(let id) = values[0]
    else { return }
    pending.append(Change(id: id, entry: Entry(type: type, values: values), wasRead: read))
  }

  /// Forgets `id` (deleted).
  func forget(_ id: String) { pending.append(Change(id: id, entry: nil, wasRead: false)) }

  /// The running transaction ended: what it learned is known from now on. Returns whether
  /// anything changed (a row read again as it was known, the most recent already, does not).
  @discardableResult
  package func keep() -> Bool {
    guard !pending.isEmpty else { return false }
    // The last word on each id, the most recent first.
    var fresh: [Change] = []
    for change in pending.reversed() where !fresh.contains(where: { $0.id == change.id }) {
      fresh.append(change)
    }
    pending = []
    var kept = Self.header
    kept.reserveCapacity(bytes.count + 512)
    var keptPlaces: [Place] = []
    for change in fresh {
      if let entry = change.entry { keptPlaces.append(Self.append(entry, to: &kept)) }
    }
    // Unchanged: one row, read again as it was known, the most recent already.
    if fresh.count == 1, keptPlaces.count == 1, let first = places.first,
      Self.same(bytes, first.range, Array(kept[keptPlaces[0].range]))
    {
      return false
    }
    for place in places where keptPlaces.count < Self.capacity {
      guard !fresh.contains(where: { Self.same(bytes, place.id, Array($0.id.utf8)) }) else {
        continue
      }
      let shift = kept.count - place.range.lowerBound
      kept.append(contentsOf: bytes[place.range])
      keptPlaces.append(
        Place(
          type: place.type,
          range: (place.range.lowerBound + shift)..<(place.range.upperBound + shift),
          id: (place.id.lowerBound + shift)..<(place.id.upperBound + shift),
          values: place.values + shift))
    }
    bytes = kept
    places = keptPlaces
    return true
  }

  /// Whether `bytes[range]` is `other`.
  private static func same(_ bytes: [UInt8], _ range: Range<Int>, _ other: [UInt8]) -> Bool {
    guard range.count == other.count else { return false }
    return bytes.withUnsafeBufferPointer { mine in
      other.withUnsafeBufferPointer { theirs in
        var index = 0
        while index < theirs.count && mine[range.lowerBound + index] == theirs[index] {
          index += 1
        }
        return index == theirs.count
      }
    }
  }

  /// The running transaction rolled back (or will run again): what it wrote is not stored;
  /// what it read was.
  package func discard() { pending.removeAll { !$0.wasRead } }

  // MARK: Bytes, for a file

  /// The first line of the bytes: the format. A file from an optimist whose tables have
  /// other columns needs no mark of its own: an entry of another length is refused here, and
  /// one of the same length that the server does not find exactly so costs a round trip.
  private static let header = Array("optimist known states 1\n".utf8)

  /// The entries, most recent first: each its type's name and a zero, its number of values,
  /// then each value (0: null; 1: integer, 8 bytes; 2: text, its length in 4 bytes, then
  /// UTF-8), all numbers little-endian.
  package func encoded() -> [UInt8] { bytes }

  /// Appends `entry`; returns where it stands.
  private static func append(_ entry: Entry, to bytes: inout [UInt8]) -> Place {
    let start = bytes.count
    bytes.append(contentsOf: entry.type.rawValue.utf8)
    bytes.append(0)
    bytes.append(UInt8(entry.values.count))
    let values = bytes.count
    var id = values..<values
    for (index, value) in entry.values.enumerated() {
      switch value {
      case .null:
        bytes.append(0)
      case .integer(let integer):
        bytes.append(1)
        appendLittleEndian(UInt64(bitPattern: integer), width: 8, to: &bytes)
      case .text(let text):
        bytes.append(2)
        let utf8 = text.utf8
        appendLittleEndian(UInt64(utf8.count), width: 4, to: &bytes)
        if index == 0 { id = bytes.count..<(bytes.count + utf8.count) }
        bytes.append(contentsOf: utf8)
      }
    }
    return Place(type: entry.type, range: start..<bytes.count, id: id, values: values)
  }

  private static func appendLittleEndian(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
    for index in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * index))) }
  }

  /// What `encoded` wrote; nothing is known from bytes that are not exactly that (another
  /// format, other tables, a file cut short, an entry that is not its type's row).
  package init(decoding file: [UInt8]) {
    bytes = Self.header
    places = []
    if let found = file.withUnsafeBufferPointer({ Self.places(in: $0) }) {
      bytes = file
      places = found
    }
  }

  /// The type whose name starts at `at` in `file`, followed by its zero byte (refunds are
  /// never kept).
  private static func kind(in file: UnsafeBufferPointer<UInt8>, at: Int) -> ObjectType? {
    guard at < file.count else { return nil }
    let type: ObjectType
    switch file[at] {
    case UInt8(ascii: "C"): type = .customer
    case UInt8(ascii: "I"): type = .item
    case UInt8(ascii: "P"): type = .payment
    default: return nil
    }
    var end = at
    for byte in type.rawValue.utf8 {
      guard end < file.count, file[end] == byte else { return nil }
      end += 1
    }
    return end < file.count && file[end] == 0 ? type : nil
  }

  /// Where each entry of `file` stands; nil unless the whole file is as `encoded` writes it.
  /// Walks the bytes once, decoding nothing (every read bounded by the file's end).
  private static func places(in file: UnsafeBufferPointer<UInt8>) -> [Place]? {
    let header = Self.header
    guard file.count >= header.count else { return nil }
    for index in header.indices where file[index] != header[index] { return nil }
    var at = header.count
    var found: [Place] = []
    found.reserveCapacity(capacity)
    /// A little-endian number of `width` bytes at `at`, moving past it.
    func number(width: Int) -> Int? {
      guard file.count - at >= width else { return nil }
      var value = 0
      for index in 0..<width { value |= Int(file[at + index]) << (8 * index) }
      at += width
      return value
    }
    while at < file.count {
      guard found.count < capacity else { return nil }
      let start = at
      guard let type = kind(in: file, at: at) else { return nil }
      let columns = type.columnCount
      at += type.rawValue.utf8.count + 1
      guard at < file.count, Int(file[at]) == columns else { return nil }
      at += 1
      let values = at
      var id = at..<at
      for index in 0..<columns {
        guard at < file.count else { return nil }
        let tag = file[at]
        at += 1
        switch tag {
        case 0 where index > 0: break
        case 1 where index > 0:
          guard number(width: 8) != nil else { return nil }
        case 2:
          guard let length = number(width: 4), file.count - at >= length else { return nil }
          if index == 0 { id = at..<(at + length) }
          at += length
        default: return nil
        }
      }
      found.append(Place(type: type, range: start..<at, id: id, values: values))
    }
    return found
  }
}

extension ObjectType {
  /// How many columns `Transaction.selectByID` reads for an object of this type.
  var columnCount: Int {
    switch self {
    case .payment: return Payment.columns.count
    case .refund: return Refund.columns.count
    case .customer, .item: return 4 + fields.count
    }
  }
}

/// Reads `KnownStates`' bytes, every read bounded by what is left.
private struct ByteReader {
  let bytes: [UInt8]
  var offset: Int

  var isAtEnd: Bool { offset >= bytes.count }

  mutating func byte() -> UInt8? {
    guard offset < bytes.count else { return nil }
    defer { offset += 1 }
    return bytes[offset]
  }

  /// A little-endian unsigned integer of `width` bytes.
  mutating func integer(width: Int) -> UInt64? {
    guard bytes.count - offset >= width else { return nil }
    var value: UInt64 = 0
    for index in 0..<width { value |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
    offset += width
    return value
  }

  /// One value. Text that is not UTF-8 is repaired: a row that is not the stored one fails
  /// the server's check like any other.
  mutating func value() -> SQLValue? {
    switch byte() {
    case 0?: return .null
    case 1?: return integer(width: 8).map { .integer(Int64(bitPattern: $0)) }
    case 2?:
      guard let length = integer(width: 4), bytes.count - offset >= Int(length) else { return nil }
      defer { offset += Int(length) }
      return .text(String(decoding: bytes[offset..<(offset + Int(length))], as: UTF8.self))
    default: return nil
    }
  }

}
