// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "lorad",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loractl", targets: ["loractl"]),
        .executable(name: "lorad", targets: ["lorad"]),
        .library(name: "LoradClient", targets: ["LoradClient"]),
        .library(name: "LoradSystem", targets: ["LoradSystem"]),
        .library(name: "LoradWire", targets: ["LoradWire"]),
        .library(name: "LoradTensors", targets: ["LoradTensors"]),
        .library(name: "LoradAdapters", targets: ["LoradAdapters"]),
        .library(name: "LoradStore", targets: ["LoradStore"]),
        .library(name: "LoradTOML", targets: ["LoradTOML"]),
        .library(name: "LoradServer", targets: ["LoradServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries and the C shim: the only places that see C headers.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CLinux"),
        .target(name: "CFuse"),

        // Pure cores.
        .target(name: "LoradSystem", dependencies: ["CLinux"]),
        .target(name: "LoradWire"),
        // Values as people write them (sizes, durations, octal modes) and user text echoed in
        // messages: for the TOML reader, the daemon's settings and the command-line tools.
        .target(name: "LoradNotation"),
        .target(name: "LoradTOML", dependencies: ["LoradNotation"]),
        .target(name: "LoradConfig", dependencies: ["LoradTOML", "LoradNotation", "LoradSystem", "LoradWire"]),
        .target(name: "LoradTensors", dependencies: ["LoradSystem"]),
        .target(name: "LoradAdapters", dependencies: ["LoradTensors", "CBLAS", "CFuse"]),
        .target(
            name: "LoradStore",
            dependencies: [
                "LoradTensors", "LoradAdapters", "LoradSystem", "CZstd", "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // The daemon and its clients. LoradServer is the transport (epoll loop, framing, peer
        // credentials, access policy, drain) and knows nothing of adapters; LoradSystemd is the
        // generic systemd integration (journald logging, sd_notify, the watchdog, socket
        // activation) and knows nothing of adapters or bases; LoradDaemon is the core.
        .target(
            name: "LoradSystemd",
            dependencies: ["LoradSystem", "CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "LoradServer",
            dependencies: ["LoradWire", "LoradSystem", "LoradNotation", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "LoradDaemon",
            dependencies: [
                "LoradServer", "LoradSystemd", "LoradWire", "LoradSystem", "LoradTensors", "LoradAdapters", "LoradStore",
                "LoradConfig", "LoradNotation", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "LoradClient", dependencies: ["LoradWire", "LoradSystem"]),

        // Executables.
        .executableTarget(
            name: "lorad",
            dependencies: [
                "LoradDaemon", "LoradServer", "LoradSystemd", "LoradConfig", "LoradNotation", "LoradSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "loractl",
            dependencies: [
                "LoradTensors", "LoradAdapters", "LoradStore", "LoradClient", "LoradNotation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "lorad-bench",
            dependencies: [
                "LoradClient", "LoradWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Benchmarks built through the package (their run.sh/bench.sh build them in release).
        .executableTarget(
            name: "lorad-server-bench",
            dependencies: ["LoradServer", "LoradWire", "LoradSystem", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/Server",
            exclude: ["run.sh"]
        ),
        .executableTarget(
            name: "lorad-pack-bench",
            dependencies: ["LoradStore", "LoradTensors"],
            path: "Benchmarks/pack",
            exclude: ["README.md", "bench.sh", "make_factors.py"]
        ),
        // The soak: 256 clients against a running lorad, every reply checked (Benchmarks/soak/run.sh).
        .executableTarget(
            name: "lorad-soak",
            dependencies: [
                "LoradClient", "LoradWire", "LoradSystem", "LoradTensors", "LoradTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/soak",
            exclude: ["README.md", "run.sh"]
        ),

        // Helpers shared by the test targets (seeded generator, repository paths). A plain
        // target so test targets can depend on it; of the products only lorad-soak links it
        // (for its seeded generator).
        .target(name: "LoradTestSupport", dependencies: ["LoradSystem"], path: "Tests/LoradTestSupport"),
        // A server on a temp socket, a test client and a fake handler, for the server's tests
        // and the daemon's tests of the core behind a real server.
        .target(
            name: "LoradServerTestSupport",
            dependencies: ["LoradServer", "LoradWire", "LoradSystem", .product(name: "Logging", package: "swift-log")],
            path: "Tests/LoradServerTestSupport"
        ),

        // Tests mirror Sources/.
        .testTarget(name: "LoradSystemTests", dependencies: ["LoradSystem"]),
        .testTarget(name: "LoradWireTests", dependencies: ["LoradWire", "LoradTestSupport"]),
        .testTarget(name: "LoradNotationTests", dependencies: ["LoradNotation"]),
        .testTarget(name: "LoradTOMLTests", dependencies: ["LoradTOML", "LoradTestSupport"]),
        .testTarget(
            name: "LoradConfigTests", dependencies: ["LoradConfig", "LoradTOML", "LoradNotation", "LoradSystem", "LoradTestSupport"]
        ),
        .testTarget(name: "LoradTensorsTests", dependencies: ["LoradTensors", "LoradTestSupport"]),
        .testTarget(name: "LoradAdaptersTests", dependencies: ["LoradAdapters", "LoradTensors", "CFuse", "LoradTestSupport"]),
        .testTarget(name: "LoradStoreTests", dependencies: ["LoradStore", "LoradAdapters", "LoradTensors", "LoradTestSupport"]),
        .testTarget(
            name: "LoradServerTests",
            dependencies: ["LoradServer", "LoradWire", "LoradSystem", "LoradServerTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "LoradSystemdTests",
            dependencies: ["LoradSystemd", "LoradSystem", "LoradTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "LoradDaemonTests",
            dependencies: [
                "LoradDaemon", "LoradSystemd", "LoradConfig", "LoradServer", "LoradWire", "LoradSystem", "LoradTestSupport",
                "LoradServerTestSupport",
            ]
        ),
        // The process: flags, the runner, reloads (Sources/lorad/Daemon).
        .testTarget(name: "loradTests", dependencies: ["lorad", "LoradDaemon", "LoradConfig", "LoradServer", "LoradSystem"]),
        .testTarget(name: "LoradClientTests", dependencies: ["LoradClient", "LoradWire"]),
        .testTarget(name: "loractlTests", dependencies: ["loractl", "LoradTestSupport"]),
        .testTarget(
            name: "LoradEndToEndTests",
            dependencies: [
                "LoradClient", "LoradWire", "LoradSystem", "LoradTensors", "LoradAdapters", "LoradConfig", "lorad", "loractl",
                "LoradTestSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
