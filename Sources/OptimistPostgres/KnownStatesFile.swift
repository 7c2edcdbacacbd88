import Glibc
import OptimistCore

/// Where `optimist-pg` keeps, between commands, the objects this user last saw in one
/// database (`KnownStates`, which lets a write that changes one be one round trip):
/// `$XDG_CACHE_HOME/optimist/known/` (or `~/.cache/…`), one file per URL (named by a hash of
/// the URL with its password masked), in folders and a file only the user may read.
/// `OPTIMIST_KNOWN_STATES=off` (any value but on, 1, true or yes) keeps none.
///
/// A cache: a file that is missing, unreadable, not the user's, or not exactly what this
/// optimist writes is taken as empty, and one that cannot be written is left as it was or
/// emptied; neither ever fails a command. It is written in place under its lock (`save`).
final class KnownStatesFile {
  let path: String
  private let folders: [String]
  /// Whether the file's folder is known to exist (the file was there): no need to make it.
  private var folderExists = false

  /// The file for `url`; nil when none is to be kept (switched off, or no home).
  init?(url: PostgresURL) {
    // Kept unless switched off; a value that is not plainly "on" is off, so that a
    // misspelt "disable" keeps nothing rather than everything.
    if let setting = getenv("OPTIMIST_KNOWN_STATES").map({ String(cString: $0) }),
      !["", "on", "1", "true", "yes"].contains(setting)
    {
      return nil
    }
    var cache: String
    if let xdg = getenv("XDG_CACHE_HOME").map({ String(cString: $0) }), xdg.hasPrefix("/") {
      cache = xdg
    } else if let home = getenv("HOME").map({ String(cString: $0) }), home.hasPrefix("/") {
      cache = home + "/.cache"
    } else {
      return nil
    }
    while cache.count > 1 && cache.hasSuffix("/") { cache.removeLast() }
    folders = [cache, cache + "/optimist", cache + "/optimist/known"]
    path = folders[2] + "/" + Self.name(url.redacted)
  }

  /// FNV-1a (64 bits) of the URL, in hexadecimal: a file name that holds nothing of it.
  private static func name(_ url: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in url.utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// What the file holds; nothing known when it cannot be read as this optimist writes it.
  func load() -> KnownStates {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard descriptor >= 0 else { return KnownStates() }
    folderExists = true
    defer { close(descriptor) }
    // Not while another process writes it (`save`).
    _ = flock(descriptor, LOCK_SH)
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
      status.st_uid == geteuid(), status.st_size <= 1 << 20
    else { return KnownStates() }
    var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
    var filled = 0
    while filled < bytes.count {
      let count = bytes.withUnsafeMutableBytes { buffer in
        buffer.baseAddress.map { read(descriptor, $0 + filled, buffer.count - filled) } ?? -1
      }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return KnownStates() }
      filled += count
    }
    return KnownStates(decoding: bytes)
  }

  /// Writes what is known over the file, under its lock; gives up quietly on any failure.
  ///
  /// Written in place, not as a new file renamed over the old one: ext4 starts writing a
  /// file to disk when it replaces another by rename (`auto_da_alloc`), which cost each
  /// call about 0.2 ms, more than the round trip it saves on a local socket. A reader takes
  /// the shared lock, so it never sees half of a write; should the file be torn all the same
  /// (a crash, a file system without locks), it is ignored or its entries fail the server's
  /// check, and it is written whole next time.
  func save(_ known: KnownStates) {
    if !folderExists {
      for folder in folders where mkdir(folder, 0o700) != 0 && errno != EEXIST { return }
      folderExists = true
    }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
      status.st_uid == geteuid()
    else { return }
    _ = flock(descriptor, LOCK_EX)
    let bytes = known.encoded()
    var written = 0
    while written < bytes.count {
      let count = bytes.withUnsafeBytes { buffer in
        buffer.baseAddress.map {
          pwrite(descriptor, $0 + written, buffer.count - written, off_t(written))
        } ?? -1
      }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      written += count
    }
    // Cut what is left of a longer old content (or, after a failed write, all of it).
    _ = ftruncate(descriptor, off_t(written == bytes.count ? written : 0))
  }
}
