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
  /// What the running transaction learned (an entry) or forgot (nil), by id, in order, and
  /// whether it read it (a read row is what was stored, whether the transaction then commits
  /// or not) or wrote it (stored only if it commits).
  private var pending: [(id: String, entry: Entry?, wasRead: Bool)] = []

  package init() {
    bytes = Self.header
    places = []
  }

  /// The row kept for `id`, if any.
  func entry(id: String) -> Entry? {
    for change in pending.reversed() where change.id == id { return change.entry }
    guard let place = places.first(where: { bytes[$0.id].elementsEqual(id.utf8) }) else {
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
    pending.append((id, Entry(type: type, values: values), read))
  }

  /// Forgets `id` (deleted).
  func forget(_ id: String) { pending.append((id, nil, false)) }

  /// The running transaction ended: what it learned is known from now on. Returns whether
  /// anything changed (a row read again as it was known, the most recent already, does not).
  @discardableResult
  package func keep() -> Bool {
    guard !pending.isEmpty else { return false }
    // The last word on each id, the most recent first.
    var fresh: [(id: String, entry: Entry?)] = []
    for change in pending.reversed() where !fresh.contains(where: { $0.id == change.id }) {
      fresh.append((change.id, change.entry))
    }
    pending = []
    var kept = Self.header
    kept.reserveCapacity(bytes.count + 512)
    var keptPlaces: [Place] = []
    for (_, entry) in fresh {
      if let entry { keptPlaces.append(Self.append(entry, to: &kept)) }
    }
    for place in places where keptPlaces.count < Self.capacity {
      let id = bytes[place.id]
      guard !fresh.contains(where: { id.elementsEqual($0.id.utf8) }) else { continue }
      let shift = kept.count - place.range.lowerBound
      kept.append(contentsOf: bytes[place.range])
      keptPlaces.append(
        Place(
          type: place.type, range: (place.range.lowerBound + shift)..<(place.range.upperBound + shift),
          id: (place.id.lowerBound + shift)..<(place.id.upperBound + shift),
          values: place.values + shift))
    }
    let changed = kept != bytes
    bytes = kept
    places = keptPlaces
    return changed
  }

  /// The running transaction rolled back (or will run again): what it wrote is not stored;
  /// what it read was.
  package func discard() { pending.removeAll { !$0.wasRead } }

  // MARK: Bytes, for a file

  /// The first line of the bytes: the format, and every type's columns, so that a file
  /// written by an optimist whose tables differ is ignored rather than misread.
  private static let header: [UInt8] = {
    var text = "optimist known states 1"
    for type in ObjectType.allCases where type != .refund {
      text += ";" + type.rawValue + ":" + ReadTransaction.columns(of: type)
    }
    return Array((text + "\n").utf8)
  }()

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
    guard file.count >= Self.header.count, file[..<Self.header.count].elementsEqual(Self.header)
    else { return }
    var reader = ByteReader(bytes: file, offset: Self.header.count)
    var found: [Place] = []
    while !reader.isAtEnd {
      let start = reader.offset
      guard found.count < Self.capacity, let type = reader.typeName(),
        let count = reader.byte(), Int(count) == type.columnCount
      else { return }
      let values = reader.offset
      guard reader.byte() == 2, let length = reader.integer(width: 4) else { return }
      let id = reader.offset..<(reader.offset + Int(length))
      guard reader.skip(Int(length)) else { return }
      for _ in 1..<Int(count) {
        guard reader.value() != nil else { return }
      }
      found.append(Place(type: type, range: start..<reader.offset, id: id, values: values))
    }
    bytes = file
    places = found
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

  mutating func skip(_ count: Int) -> Bool {
    guard count >= 0, bytes.count - offset >= count else { return false }
    offset += count
    return true
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

  /// A type's name, up to its zero byte (refunds are never kept).
  mutating func typeName() -> ObjectType? {
    var end = offset
    while end < bytes.count && bytes[end] != 0 { end += 1 }
    guard end < bytes.count else { return nil }
    defer { offset = end + 1 }
    for type in ObjectType.allCases where type != .refund {
      if bytes[offset..<end].elementsEqual(type.rawValue.utf8) { return type }
    }
    return nil
  }
}
