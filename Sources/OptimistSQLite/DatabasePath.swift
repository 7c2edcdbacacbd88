import CSQLite
import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a SQLite store's path must be before SQLite opens it: not a folder, not on a network
/// file system; its missing folders made private.
extension DatabasePath {
  /// What `prepare` found at the path.
  enum State: Equatable {
    /// No file yet (its folders exist only if `creating` asked for them).
    case missing
    /// A file (whether it uses WAL, SQLite tells once it has opened it).
    case existing
  }

  /// Refuses paths that cannot be a database (folders, tiny files, network file systems);
  /// with `creating`, makes the missing parent folders (mode 0700). Never changes a file, and
  /// never opens it: only SQLite does. Its locks are POSIX advisory locks, which belong to
  /// the process, and closing any descriptor of the file drops them all, whichever
  /// connection took them; in the server, where a worker opens its store while others hold
  /// locks, that let another process write in the middle of their transactions. See
  /// <https://www.sqlite.org/howtocorrupt.html>, "Posix advisory locks canceled by a separate
  /// thread doing close()".
  static func prepare(_ path: String, creating: Bool) throws(OptimistError) -> State {
    guard !path.hasSuffix("/") else {
      throw .storage("The database path `\(path)` names a directory, not a database file.")
    }
    var info = stat()
    if stat(path, &info) == 0 {
      if (info.st_mode & S_IFMT) == S_IFDIR {
        throw .storage("The database path `\(path)` is a directory, not a database file.")
      }
      try refuseNetworkFileSystem(path)
      // SQLite takes a file of fewer than 512 bytes (its smallest page) for an empty
      // database and would write over it; no real database is that small.
      if info.st_size > 0 && info.st_size < 512 {
        throw .storage("`\(path)` is not a SQLite database (it is only \(info.st_size) bytes).")
      }
      return .existing
    }
    guard errno == ENOENT else {
      throw .storage("The database path `\(path)` cannot be used: \(systemError()).")
    }
    guard creating else { return .missing }
    var parent = ""
    let components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    for (index, component) in components.enumerated() {
      let enclosing = parent.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : parent
      parent += (index == 0 ? "" : "/") + component
      if parent.isEmpty || component.isEmpty || component == "." { continue }
      if mkdir(parent, 0o700) == 0 {
        // A new folder's name is on the disk only once its own folder is synced; SQLite
        // syncs just the database's folder (for the journal, and so the database's name).
        try syncFolder(enclosing)
      } else if errno != EEXIST {
        throw .storage("Cannot create the folder `\(parent)` for the database: \(systemError()).")
      }
    }
    try refuseNetworkFileSystem(parent.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : parent)
    return .missing
  }

  /// fsync(2) on a folder, so that the names made in it survive a power cut.
  static func syncFolder(_ path: String) throws(OptimistError) {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw .storage("Cannot open the folder `\(path)` to sync it: \(systemError()).")
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw .storage("Cannot sync the folder `\(path)`: \(systemError()).")
    }
  }

  static func systemError() -> String { String(cString: strerror(errno)) }

  /// File systems whose locks SQLite cannot rely on (<https://www.sqlite.org/faq.html#q5>),
  /// by `statfs` magic number: NFS, SMB/CIFS, AFS, Coda and 9P.
  static func networkFileSystem(magic: Int) -> String? {
    switch magic {
    case 0x6969: return "NFS"
    case 0x517B: return "SMB"
    case 0xFF53_4D42: return "CIFS"
    case 0xFE53_4D42: return "SMB2"
    case 0x5346_414F: return "AFS"
    case 0x7375_7245: return "Coda"
    case 0x0102_1997: return "9P"
    default: return nil
    }
  }

  /// Refuses a database on a network file system, where two machines' writers could both
  /// think they hold the lock; `OPTIMIST_ALLOW_NETWORK_FS=1` accepts it anyway.
  static func refuseNetworkFileSystem(_ path: String) throws(OptimistError) {
    #if os(Linux)
      var info = statfs()
      guard statfs(path, &info) == 0, let name = networkFileSystem(magic: Int(info.f_type)),
        (try? environment("OPTIMIST_ALLOW_NETWORK_FS")) != "1"
      else { return }
      throw .storage(
        "`\(path)` is on a network file system (\(name)), where SQLite's locks do not hold "
          + "and concurrent writers can corrupt it. Keep the database on a local disk, or set "
          + "OPTIMIST_ALLOW_NETWORK_FS=1 if only one machine ever uses it.")
    #endif
  }
}
