// swift-tools-version: 6.0
import PackageDescription

// The rooms of DESIGN.md: tierwatch -> Dashboard / Terminal / IncidentStore
// -> Escalation; Dashboard and Terminal both draw on Surface (frames,
// roles, keys, themes), which imports neither. Only Terminal imports CNcurses.
let package = Package(
    name: "tierwatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tierwatch", targets: ["tierwatch"]),
        .executable(name: "tierwatch-bench", targets: ["tierwatch-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // `tierwatch serve`: HTTP on SwiftNIO (no hand-written HTTP parsing),
        // with swift-log's structured logs.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Already in the graph through Hummingbird; named for serve's own
        // connection guard (a channel handler on its HTTP pipeline).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // serve's HTTPS (TLS 1.2+), certificates reloaded on SIGHUP.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "Escalation",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "IncidentStore",
            dependencies: ["Escalation", "CChecksum", "CSpawn"]
        ),
        // CRC-32C with the CPU's instruction, which Swift cannot name: the
        // store checksums every byte it reads. Used by IncidentStore only.
        .target(name: "CChecksum"),
        // glibc's close-from for posix_spawn: a hook program gets none of serve's descriptors.
        .target(name: "CSpawn"),
        // ncurses, wrapped for Swift; only Terminal imports it.
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        .target(
            name: "Terminal",
            dependencies: ["CNcurses", "Surface"]
        ),
        // The drawing surface: Frame and cells, roles, keys, themes. What
        // Dashboard draws on and Terminal presents; it knows no incident.
        .target(
            name: "Surface",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "Dashboard",
            // (Intake: the customer update's draft, as `tierwatch update` makes it.)
            dependencies: ["Escalation", "Surface", "Intake"]
        ),
        // What monitoring sends, turned into store actions: Alertmanager's
        // webhook, the incident API's requests, the Prometheus metrics
        // text. Pure: no HTTP, no files.
        .target(
            name: "Intake",
            dependencies: ["Escalation"]
        ),
        // `tierwatch serve`: the HTTP listener around Intake and the store.
        .target(
            name: "Serve",
            dependencies: [
                "Intake", "Escalation", "IncidentStore", "CSpawn",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Reads other services' exports (PagerDuty, Opsgenie, Grafana OnCall)
        // into a policy: pure, no I/O but reading the files it is given.
        .target(name: "Importer", dependencies: ["Escalation"]),
        .executableTarget(
            name: "tierwatch",
            dependencies: [
                "CSpawn",
                "Importer",
                "Escalation",
                "IncidentStore",
                "Dashboard",
                "Surface",
                "Terminal",
                "Serve",
                "Intake",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks and the store's torture tools (writer processes to kill,
        // followers to time); not installed with tierwatch.
        .executableTarget(
            name: "tierwatch-bench",
            dependencies: ["Escalation", "IncidentStore", "Dashboard", "Surface", "Serve"]
        ),
        // Fuzz targets for every parser of outside text (see Fuzz/run.sh);
        // built normally it replays inputs, with -sanitize=fuzzer it fuzzes.
        .executableTarget(
            name: "tierwatch-fuzz",
            dependencies: ["Escalation", "IncidentStore", "Dashboard", "Surface"]
        ),
        .testTarget(name: "EscalationTests", dependencies: ["Escalation"]),
        // Fixtures/ holds store files the tests read by path, not resources.
        .testTarget(name: "IncidentStoreTests", dependencies: ["IncidentStore", "Escalation"], exclude: ["Fixtures"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "Surface", "Escalation", "Terminal"]),
        .testTarget(name: "tierwatchTests", dependencies: ["Escalation", "IncidentStore", "Dashboard", "Surface"],
                    // SIPp scenarios and fixture stores, read from the source tree by path.
                    exclude: ["sipp", "Fixtures"]),
        .testTarget(name: "IntakeTests", dependencies: ["Intake", "Escalation"]),
        // Fixtures/ holds the services' API responses the tests read by path.
        .testTarget(name: "ImporterTests", dependencies: ["Importer", "Escalation"], exclude: ["Fixtures"]),
    ]
)
