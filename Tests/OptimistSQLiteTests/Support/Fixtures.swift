import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A fresh folder for one test, removed with everything in it when released.
final class TemporaryDirectory {
  let path: String

  init() {
    let base = FileManager.default.temporaryDirectory.path
    var template = Array("\(base)/optimist-sqlite-tests.XXXXXX".utf8CString)
    path = template.withUnsafeMutableBufferPointer { buffer in
      guard let made = mkdtemp(buffer.baseAddress!) else {
        fatalError("mkdtemp failed: \(String(cString: strerror(errno)))")
      }
      return String(cString: made)
    }
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// The path of `name` inside the folder.
  func file(_ name: String) -> String { path + "/" + name }
}

/// The bytes of a file, or nil when it cannot be read.
func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

/// A string of `count` copies of `unit`.
func text(_ count: Int, of unit: String = "a") -> String { String(repeating: unit, count: count) }
