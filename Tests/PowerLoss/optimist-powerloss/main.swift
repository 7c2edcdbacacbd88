// `optimist-powerloss`: the optimist CLI, test-only, with every file going through the
// power-loss VFS (CPowerLossVFS), which keeps a durable image of the database folder.
// Tests/Scripts/powerloss.py runs writers through it, cuts the power, and checks what the
// image kept. The shipped `optimist` has none of this.
//
//   OPTIMIST_POWERLOSS_DIR=folder   where the durable image lives (required)
//   OPTIMIST_POWERLOSS_DURABILITY=  durable (default): optimist's own settings; the
//                                   negative controls: off (synchronous=OFF), delete-full
//                                   (DELETE mode at FULL: the unlink is not synced),
//                                   truncate-normal (TRUNCATE at NORMAL: nor the truncation)
import CPowerLossVFS
import OptimistCLI
import OptimistCore
@_spi(PowerLossTesting) import OptimistSQLite

#if canImport(Glibc)
  import Glibc
#endif

func refuse(_ message: String) -> Never {
  let text = "optimist-powerloss: \(message)\n"
  _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
  exit(70)
}

guard let directory = getenv("OPTIMIST_POWERLOSS_DIR").map({ String(cString: $0) }),
  !directory.isEmpty
else { refuse("set OPTIMIST_POWERLOSS_DIR to the folder of the durable image") }

switch getenv("OPTIMIST_POWERLOSS_DURABILITY").map({ String(cString: $0) }) ?? "durable" {
case "durable":
  break
case "off":
  SQLiteStore.durability.synchronous = "off"
case "delete-full":
  SQLiteStore.durability = Durability(journalMode: "delete", synchronous: "full")
case "truncate-normal":
  SQLiteStore.durability.synchronous = "normal"
case let other:
  refuse(
    "unknown OPTIMIST_POWERLOSS_DURABILITY `\(other)` (durable, off, delete-full or truncate-normal)"
  )
}

Engines.sqlite = SQLiteStore.open
Engines.sqliteVersion = { Connection.libraryVersion }
guard powerloss_vfs_register(directory, 1) == 0 else {
  refuse("cannot register the power-loss VFS with the image in `\(directory)`")
}
Optimist.main()
