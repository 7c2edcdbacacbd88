import OptimistCore

/// How a commit reaches the disk before optimist prints success.
///
/// In the rollback journal's default DELETE mode a transaction commits when SQLite unlinks
/// its `-journal` file, and at `synchronous=FULL` the folder is not synced after that unlink
/// (only EXTRA syncs it: `pager_end_transaction` in SQLite's pager.c). If the power goes
/// before the unlink reaches the disk, the journal is back at the next open and SQLite rolls
/// the printed change back as a hot journal. In TRUNCATE mode a commit truncates the journal
/// to zero bytes instead, and at FULL that truncation is synced before COMMIT returns; the
/// journal's name was made durable by the folder sync at its creation. So a command that
/// printed success has its change on the disk, measured by `make stress`'s power-loss
/// simulator. See <https://www.sqlite.org/pragma.html#pragma_journal_mode>,
/// <https://www.sqlite.org/pragma.html#pragma_synchronous> and
/// <https://www.sqlite.org/atomiccommit.html>.
///
/// A database in WAL mode (only with an SQLite that has fixed the WAL-reset bug) keeps WAL:
/// at FULL every commit syncs the WAL file, which is durable by itself.
public struct Durability: Equatable, Sendable {
  /// The rollback journal's mode, as `PRAGMA journal_mode` names it.
  public var journalMode: String
  /// `PRAGMA synchronous`: `off`, `normal`, `full` or `extra`.
  public var synchronous: String

  public init(journalMode: String, synchronous: String) {
    self.journalMode = journalMode
    self.synchronous = synchronous
  }

  /// What optimist runs with: every printed success survives a power cut.
  public static let durable = Durability(journalMode: "truncate", synchronous: "full")

  /// The statements a new connection runs; a WAL database keeps its journal mode.
  func pragmas(keepingWAL: Bool) -> String {
    let synchronous = "PRAGMA synchronous = \(self.synchronous)"
    return keepingWAL ? synchronous : "PRAGMA journal_mode = \(journalMode); \(synchronous)"
  }
}

extension SQLiteStore {
  /// The durability every connection gets. Nothing in optimist changes it; the power-loss
  /// test build (`optimist-powerloss`) sets weaker ones to prove its simulator finds the
  /// writes they lose.
  @_spi(PowerLossTesting) nonisolated(unsafe) public static var durability = Durability.durable
}
