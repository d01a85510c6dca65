// swift-tools-version:6.0
// libFuzzer targets for lorad's parsers: a separate package, so the root package's
// `swift build` and `make test` never see the sanitizer flags. Build and run with
// `make fuzz` / `make fuzz-smoke` from the repository root (see Fuzz/README.md).
import PackageDescription

let package = Package(
    name: "lorad-fuzz",
    dependencies: [.package(name: "lorad", path: "..")],
    targets: [
        // Each target's main.swift holds only LLVMFuzzerTestOneInput; libFuzzer provides main.
        .executableTarget(name: "FuzzFrames", dependencies: [.product(name: "LoradWire", package: "lorad")]),
        .executableTarget(name: "FuzzSafetensors", dependencies: [.product(name: "LoradTensors", package: "lorad")]),
        .executableTarget(name: "FuzzTOML", dependencies: [.product(name: "LoradTOML", package: "lorad")]),
        .executableTarget(name: "FuzzPack", dependencies: [.product(name: "LoradStore", package: "lorad")]),
        .executableTarget(
            name: "FuzzAdapter",
            dependencies: [
                .product(name: "LoradAdapters", package: "lorad"), .product(name: "LoradTensors", package: "lorad"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
