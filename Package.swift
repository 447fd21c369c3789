// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Liaison",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "liaison", targets: ["liaison"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The desk's web server; swift-configuration support is not needed (settings come from liaison.yaml).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        // Already in the graph through Hummingbird: the Gateway service runs in the desk's ServiceGroup.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The registry's PostgreSQL engine (a team's shared store); only Registry links it.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C libraries, wrapped so that their pointers stay inside the module above them.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CGPGME", path: "Sources/CGPGME", pkgConfig: "gpgme",
                       providers: [.apt(["libgpgme-dev"])]),

        // Infrastructure: messages, OpenPGP, transports. Nothing CSIRT-specific.
        .target(name: "Mail"),
        // Passwords written into URLs, hidden before text is shown or logged (SMTP, Registry).
        .target(name: "URLMasking"),
        // Transport security shared by SMTP, IMAP and HTTPS: TLS policy, loopback rule, CA file, URLs as shown,
        // and the one Swift wrapper over libcurl (options, failure codes).
        .target(name: "TransportSecurity", dependencies: ["CCurl", "URLMasking"]),
        .target(name: "OpenPGP", dependencies: [
            "CGPGME",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "SMTP", dependencies: ["CCurl", "TransportSecurity", "URLMasking", .product(name: "Logging", package: "swift-log")]),
        .target(name: "IMAP", dependencies: ["CCurl", "TransportSecurity", .product(name: "Logging", package: "swift-log")]),
        .target(name: "WebFetch", dependencies: ["CCurl", "TransportSecurity"]),

        // The domain: registry, workflows, reports.
        .target(name: "Registry", dependencies: [
            "OpenPGP", "URLMasking",
            .product(name: "GRDB", package: "GRDB.swift"),
            // SQLite's incremental blob I/O, to store a large received message without holding it whole.
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .target(name: "Gateway", dependencies: [
            "Mail", "OpenPGP", "SMTP", "WebFetch", "IMAP", "Registry",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Reports reads the registry through its typed report queries only: no SQL, no GRDB.
        .target(name: "Reports", dependencies: ["Registry"]),

        // The team's desk and the vendors' answer form: Hummingbird 2, server-rendered pages, no SQL.
        .target(name: "Desk", dependencies: [
            "Registry", "Gateway", "Reports",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "liaison", dependencies: [
            "Mail", "OpenPGP", "SMTP", "IMAP", "Registry", "Gateway", "Reports", "Desk",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Benchmarks: executables that print figures; never run as tests.
        .executableTarget(name: "liaison-bench", dependencies: [
            "Mail", "OpenPGP", "SMTP", "IMAP", "Registry", "Gateway", "Reports", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks", exclude: ["Peer"]),

        // Tests start real parts on loopback: aiosmtpd, GnuPG, SQLite, PostgreSQL.
        .target(name: "TestSupport", dependencies: ["Registry", .product(name: "GRDB", package: "GRDB.swift")],
                path: "Tests/TestSupport"),
        .testTarget(name: "MailTests", dependencies: ["Mail"]),
        .testTarget(name: "OpenPGPTests", dependencies: ["OpenPGP", "TestSupport"]),
        .testTarget(name: "SMTPTests", dependencies: ["SMTP", "Mail", "OpenPGP", "TestSupport",
                                                     .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "WebFetchTests", dependencies: ["WebFetch", "TestSupport"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "TestSupport",
                                                         .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "Registry", "Mail", "OpenPGP", "SMTP", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Registry", "TestSupport"]),
        .testTarget(name: "IMAPTests", dependencies: ["IMAP", "Gateway", "Registry", "TestSupport",
                                                     .product(name: "GRDB", package: "GRDB.swift"),
                                                     .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "DeskTests", dependencies: ["Desk", "Gateway", "Registry", "TestSupport",
                                                     .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "LiaisonCLITests", dependencies: ["Mail", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
