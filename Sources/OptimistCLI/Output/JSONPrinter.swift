/// Lays out compact JSON for a terminal: indented by two spaces, coloured like `jq`.
///
/// It reads the JSON as it comes, in pieces of any size (a streamed `list --all` passes it
/// page by page), so it never holds more than one piece. The input is optimist's own
/// compact JSON; the text of strings is copied unchanged.
struct JSONPrinter {
  let colored: Bool
  private var containers: [UInt8] = []
  /// Just after `{` or `[`: the next byte decides between `{}` and a new line.
  private var opened = false
  /// At an object's key (after `{` or `,`).
  private var atKey = false
  private var inString = false
  private var escaped = false
  private var inScalar = false

  init(colored: Bool) {
    self.colored = colored
  }

  private enum Color {
    static let reset = "\u{1B}[0m"
    static let structure = "\u{1B}[1;39m"
    static let key = "\u{1B}[34;1m"
    static let string = "\u{1B}[0;32m"
    static let plain = "\u{1B}[0;39m"
    static let null = "\u{1B}[1;30m"
  }

  /// The laid-out form of `piece`, the next part of the document.
  mutating func feed(_ piece: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(piece.utf8.count * 2)
    for byte in piece.utf8 { take(byte, &out) }
    return String(decoding: out, as: UTF8.self)
  }

  /// What ends the document: the last colour reset and the newline.
  mutating func finish() -> String {
    var out: [UInt8] = []
    endScalar(&out)
    out.append(0x0A)
    return String(decoding: out, as: UTF8.self)
  }

  private mutating func take(_ byte: UInt8, _ out: inout [UInt8]) {
    if inString {
      out.append(byte)
      if escaped {
        escaped = false
      } else if byte == UInt8(ascii: "\\") {
        escaped = true
      } else if byte == UInt8(ascii: "\"") {
        inString = false
        paint(Color.reset, &out)
      }
      return
    }
    switch byte {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      endScalar(&out)
      beginValue(&out)
      paint(Color.structure, &out)
      out.append(byte)
      paint(Color.reset, &out)
      containers.append(byte)
      opened = true
      atKey = byte == UInt8(ascii: "{")
    case UInt8(ascii: "}"), UInt8(ascii: "]"):
      endScalar(&out)
      _ = containers.popLast()
      if !opened { newline(&out) }
      opened = false
      paint(Color.structure, &out)
      out.append(byte)
      paint(Color.reset, &out)
      atKey = false
    case UInt8(ascii: ","):
      endScalar(&out)
      out.append(byte)
      newline(&out)
      atKey = containers.last == UInt8(ascii: "{")
    case UInt8(ascii: ":"):
      endScalar(&out)
      out.append(byte)
      out.append(0x20)
      atKey = false
    case UInt8(ascii: "\""):
      endScalar(&out)
      beginValue(&out)
      paint(atKey ? Color.key : Color.string, &out)
      out.append(byte)
      inString = true
    case 0x20, 0x0A, 0x0D, 0x09:
      endScalar(&out)
    default:
      if !inScalar {
        beginValue(&out)
        let first = byte
        paint(first == UInt8(ascii: "n") ? Color.null : Color.plain, &out)
        inScalar = true
      }
      out.append(byte)
    }
  }

  /// Before a value or key: the new line after an opening bracket.
  private mutating func beginValue(_ out: inout [UInt8]) {
    if opened {
      opened = false
      newline(&out)
    }
  }

  private mutating func endScalar(_ out: inout [UInt8]) {
    guard inScalar else { return }
    inScalar = false
    paint(Color.reset, &out)
  }

  private func newline(_ out: inout [UInt8]) {
    out.append(0x0A)
    for _ in 0..<containers.count {
      out.append(0x20)
      out.append(0x20)
    }
  }

  private func paint(_ color: String, _ out: inout [UInt8]) {
    if colored { out.append(contentsOf: color.utf8) }
  }
}
