import Foundation
import LoradSystem
import LoradTestSupport

/// Where the end-to-end tests find the repository's fixtures and vectors and the built
/// executables.
enum TestPaths {
    /// The repository root (the folder holding Package.swift).
    static var repository: String { RepositoryPaths.root }

    /// The bf16 tiny CogVideoX fixture folder.
    static var fixtures: String { RepositoryPaths.fixtures + "/cogvideox-tiny-bf16_bf16" }

    /// The base model file the daemon serves as `tiny`.
    static var base: String { fixtures + "/base.safetensors" }

    /// The weights file of a fixture adapter folder (`diffusers_plain`, `diffusers_meta`).
    static func adapterFile(_ folder: String) -> String {
        fixtures + "/" + folder + "/pytorch_lora_weights.safetensors"
    }

    /// The golden frame vectors of protocol/PROTOCOL.md.
    static var vectors: String { repository + "/protocol/vectors" }

    /// The built executable `name` (`lorad`, `loractl`) next to the test bundle: SwiftPM
    /// builds it first because the test target depends on it.
    static func binary(_ name: String) -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<3 {
            let path = folder.appendingPathComponent(name).path
            if FileStatus.isRegularFile(path), FileManager.default.isExecutableFile(atPath: path) { return path }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
