// swift-tools-version:6.0
import PackageDescription

// optimist's version and commit, for `--version` and `doctor`: the Makefile passes them from
// `git describe` (Packaging/version.sh) in OPTIMIST_VERSION and OPTIMIST_COMMIT; a build
// without it (plain `swift build`) says 0.1.0, commit "unknown". Only the characters a
// version or a hash uses are kept, as they become C string literals.
func buildFact(_ name: String, default value: String) -> CSetting {
  let given = Context.environment[name] ?? ""
  let kept = given.filter { $0.isASCII && ($0.isLetter || $0.isNumber || ".+~-".contains($0)) }
  return .define(name, to: "\"\(kept.isEmpty ? value : kept)\"")
}

let package = Package(
  name: "optimist",
  products: [
    .executable(name: "optimist", targets: ["optimist"]),
    .executable(name: "optimist-pg", targets: ["optimist-pg"]),
    .executable(name: "optimist-serve", targets: ["optimist-serve"]),
    .library(name: "OptimistCore", targets: ["OptimistCore"]),
    .library(name: "OptimistSQLite", targets: ["OptimistSQLite"]),
  ],
  dependencies: [
    // HTTP for `optimist serve` only: linked into optimist-serve, never into optimist.
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
    // Already Hummingbird's dependencies: named for the listening channel and the logger.
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.0.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.0.0"),
    // Already Hummingbird's dependency: the HTTP/1 codec to HTTP types (`SquareChannel`).
    .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.0.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CSQLite",
      pkgConfig: "sqlite3",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    // PostgreSQL: libpq, linked only into optimist-pg and optimist-serve (the static optimist
    // execs them). The linker flags come from pkg-config's libpq.pc: the system's, or, for
    // the Makefile's release build, one naming libpq.a and the OpenSSL libraries it calls
    // (the Makefile's static-libs).
    .systemLibrary(
      name: "CLibPQ",
      pkgConfig: "libpq",
      providers: [.apt(["libpq-dev"])]
    ),
    // libpq's GSSAPI and LDAP functions, each loading its library on first use, so that a
    // statically linked libpq does not load Kerberos, SASL and GnuTLS at every start.
    .target(name: "CLibPQOnDemand", linkerSettings: [.linkedLibrary("dl")]),
    // TLS for webhook deliveries to https:// URLs: the system OpenSSL (libssl3, already pulled
    // in by libpq), linked only into optimist-serve.
    .systemLibrary(
      name: "CTLS",
      pkgConfig: "openssl",
      providers: [.apt(["libssl-dev"])]
    ),
    // The address of Swift concurrency's enqueue hook, for optimist-serve to run every task
    // on SwiftNIO's event loops also where the Swift runtime is linked statically.
    .target(name: "CConcurrencyHook"),
    .target(
      name: "OptimistPostgres",
      dependencies: ["OptimistCore", "CLibPQ", "CLibPQOnDemand"]
    ),
    // No SQLite: for a path optimist-pg runs optimist (OptimistCLI's Companion); COptimistBuild
    // gives it the SQLite version optimist has.
    .executableTarget(
      name: "optimist-pg",
      dependencies: ["OptimistCLI", "OptimistPostgres", "COptimistBuild"]
    ),
    .testTarget(
      name: "OptimistPostgresTests",
      dependencies: ["OptimistPostgres", "OptimistCore"]
    ),
    // `optimist serve`: Square's REST API over the same operations (execed by optimist like
    // optimist-pg, so the static CLI links no SwiftNIO).
    .target(
      name: "OptimistServer",
      dependencies: [
        "OptimistCore",
        "CTLS",
        "CConcurrencyHook",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .executableTarget(
      name: "optimist-serve",
      dependencies: ["OptimistServer", "OptimistCLI", "OptimistPostgres", "OptimistSQLite"]
    ),
    .testTarget(
      name: "OptimistServerTests",
      dependencies: ["OptimistServer", "OptimistCore", "OptimistSQLite"]
    ),
    // Everything that is not argument parsing, HTTP or one engine's C calls; no engine.
    .target(name: "OptimistCore"),
    // SQLite: the default engine, linked into every executable.
    .target(
      name: "OptimistSQLite",
      dependencies: ["OptimistCore", "CSQLite"]
    ),
    // The version and commit compiled in (see buildFact above).
    .target(
      name: "COptimistBuild",
      cSettings: [
        buildFact("OPTIMIST_VERSION", default: "0.1.0"),
        buildFact("OPTIMIST_COMMIT", default: "unknown"),
      ]
    ),
    .target(
      name: "OptimistCLI",
      dependencies: ["OptimistCore", "COptimistBuild"]
    ),
    .executableTarget(
      name: "optimist",
      dependencies: ["OptimistCLI", "OptimistSQLite"]
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
      dependencies: ["CPowerLossVFS", "OptimistCLI", "OptimistCore", "OptimistSQLite"],
      path: "Tests/PowerLoss/optimist-powerloss"
    ),
    // The core's operations, run against SQLite stores.
    .testTarget(
      name: "OptimistCoreTests",
      dependencies: ["OptimistCore", "OptimistSQLite"]
    ),
    .testTarget(
      name: "OptimistSQLiteTests",
      dependencies: ["OptimistSQLite", "OptimistCore"]
    ),
    .testTarget(
      name: "optimistTests",
      dependencies: ["optimist", "optimist-pg", "optimist-serve", "optimist-powerloss", "OptimistCLI", "OptimistCore"]
    ),
  ]
)
