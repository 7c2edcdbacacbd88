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
/// a deleted object is forgotten. What a transaction learns counts only once it commits.
/// `optimist-pg` keeps them in a file per database between commands
/// (OptimistPostgres/KnownStatesFile.swift); the server keeps none.
package final class KnownStates {
  /// One object's row, as `Transaction.selectByID` reads it.
  struct Entry {
    let type: ObjectType
    let values: [SQLValue]
    var id: String {
      if case .text(let id) = values[0] { return id }
      return ""
    }
  }

  /// How many objects are kept.
  static let capacity = 64

  private var entries: [Entry]
  /// What the running transaction learned (an entry) or forgot (nil, by id), in order, and
  /// whether it read it (a read row is what was stored, whether the transaction then
  /// commits or not) or wrote it (stored only if it commits).
  private var pending: [(id: String, entry: Entry?, wasRead: Bool)] = []

  package init() { entries = [] }

  /// The row kept for `id`, if any.
  func entry(id: String) -> Entry? {
    for change in pending.reversed() where change.id == id { return change.entry }
    return entries.first { $0.id == id }
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
    var kept = entries
    for (id, entry, _) in pending {
      kept.removeAll { $0.id == id }
      if let entry { kept.insert(entry, at: 0) }
    }
    if kept.count > Self.capacity { kept.removeLast(kept.count - Self.capacity) }
    pending = []
    let changed =
      kept.count != entries.count
      || zip(kept, entries).contains { $0.type != $1.type || $0.values != $1.values }
    entries = kept
    return changed
  }

  /// The running transaction rolled back (or will run again): what it wrote is not stored;
  /// what it read was.
  package func discard() { pending.removeAll { !$0.wasRead } }

  // MARK: Bytes, for a file

  /// The first line of the bytes: the format, and every type's columns, so that a file
  /// written by an optimist whose tables differ is ignored rather than misread.
  private static var header: String {
    var text = "optimist known states 1"
    for type in ObjectType.allCases where type != .refund {
      text += ";" + type.rawValue + ":" + ReadTransaction.columns(of: type)
    }
    return text + "\n"
  }

  /// The entries, most recent first: each its type's name, its number of values, then each
  /// value (0: null; 1: integer, 8 bytes; 2: text, its length in 4 bytes, then UTF-8).
  package func encoded() -> [UInt8] {
    var bytes = Array(Self.header.utf8)
    for entry in entries {
      bytes.append(contentsOf: entry.type.rawValue.utf8)
      bytes.append(0)
      bytes.append(UInt8(entry.values.count))
      for value in entry.values {
        switch value {
        case .null:
          bytes.append(0)
        case .integer(let integer):
          bytes.append(1)
          for shift in stride(from: 0, to: 64, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: UInt64(bitPattern: integer) >> UInt64(shift)))
          }
        case .text(let text):
          bytes.append(2)
          let utf8 = Array(text.utf8)
          for shift in stride(from: 0, to: 32, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: UInt32(utf8.count) >> UInt32(shift)))
          }
          bytes.append(contentsOf: utf8)
        }
      }
    }
    return bytes
  }

  /// What `encoded` wrote; nothing is known from bytes that are not exactly that (another
  /// format, other tables, a file cut short).
  package init(decoding bytes: [UInt8]) {
    entries = []
    var reader = ByteReader(bytes: bytes)
    guard reader.take(Self.header.utf8.count).elementsEqual(Self.header.utf8) else { return }
    var decoded: [Entry] = []
    while !reader.isAtEnd {
      guard let name = reader.takeUntilZero(), let type = ObjectType(rawValue: name),
        type != .refund, let count = reader.byte(), Int(count) == type.columnCount
      else { return }
      var values: [SQLValue] = []
      for _ in 0..<count {
        switch reader.byte() {
        case 0?: values.append(.null)
        case 1?:
          guard let integer = reader.integer(width: 8) else { return }
          values.append(.integer(Int64(bitPattern: integer)))
        case 2?:
          guard let length = reader.integer(width: 4), let text = reader.text(Int(length))
          else { return }
          values.append(.text(text))
        default: return
        }
      }
      guard case .text = values[0], decoded.count < Self.capacity else { return }
      decoded.append(Entry(type: type, values: values))
    }
    entries = decoded
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
  var offset = 0

  var isAtEnd: Bool { offset >= bytes.count }

  mutating func take(_ count: Int) -> ArraySlice<UInt8> {
    let end = min(bytes.count, offset + count)
    defer { offset = end }
    return bytes[offset..<end]
  }

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

  /// `length` bytes as text (what is not UTF-8 is repaired: a row that is not the stored
  /// one fails the server's check like any other).
  mutating func text(_ length: Int) -> String? {
    guard length >= 0, bytes.count - offset >= length else { return nil }
    return String(decoding: take(length), as: UTF8.self)
  }

  mutating func takeUntilZero() -> String? {
    var end = offset
    while end < bytes.count && bytes[end] != 0 { end += 1 }
    guard end < bytes.count else { return nil }
    defer { offset = end + 1 }
    return String(decoding: bytes[offset..<end], as: UTF8.self)
  }
}
