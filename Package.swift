// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "optimist",
  products: [
    .executable(name: "optimist", targets: ["optimist"]),
    .executable(name: "optimist-pg", targets: ["optimist-pg"]),
    .library(name: "OptimistCore", targets: ["OptimistCore"]),
  ],
  targets: [
    .systemLibrary(
      name: "CSQLite",
      pkgConfig: "sqlite3",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    // PostgreSQL: libpq, linked only into optimist-pg (the static optimist execs it).
    .systemLibrary(
      name: "CLibPQ",
      pkgConfig: "libpq",
      providers: [.apt(["libpq-dev"])]
    ),
    .target(
      name: "OptimistPostgres",
      dependencies: ["OptimistCore", "CLibPQ"]
    ),
    .executableTarget(
      name: "optimist-pg",
      dependencies: ["OptimistCLI", "OptimistPostgres"]
    ),
    .testTarget(
      name: "OptimistPostgresTests",
      dependencies: ["OptimistPostgres", "OptimistCore"]
    ),
    .target(
      name: "OptimistCore",
      dependencies: ["CSQLite"]
    ),
    .target(
      name: "OptimistCLI",
      dependencies: ["OptimistCore"]
    ),
    .executableTarget(
      name: "optimist",
      dependencies: ["OptimistCLI"]
    ),
    // Test-only: the CLI over a VFS that simulates power loss (Tests/PowerLoss, used by
    // `make stress`). The shipped `optimist` links none of it.
    .target(
      name: "CPowerLossVFS",
      dependencies: ["CSQLite"],
      path: "Tests/PowerLoss/CPowerLossVFS"
    ),
    .executableTarget(
      name: "optimist-powerloss",
      dependencies: ["CPowerLossVFS", "OptimistCLI", "OptimistCore"],
      path: "Tests/PowerLoss/optimist-powerloss"
    ),
    .testTarget(
      name: "OptimistCoreTests",
      dependencies: ["OptimistCore"]
    ),
    .testTarget(
      name: "optimistTests",
      dependencies: ["optimist", "optimist-pg", "optimist-powerloss", "OptimistCLI", "OptimistCore"]
    ),
  ]
)
