import Foundation
import LoradTestSupport
import Testing

/// Runs the built `loractl` binary and checks outputs and exit codes.
@Suite struct LoractlProcessTests {
    static var fixtures: String { RepositoryPaths.fixtures + "/cogvideox-tiny-bf16_bf16" }

    /// The loractl binary next to the test bundle.
    static var binary: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let bundle = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("loractl").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return bundle.appendingPathComponent("loractl").path
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("loractl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func inspectPrintsLayoutRankAndScale() throws {
        let outcome = try run(["inspect", Self.fixtures + "/diffusers_meta"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("layout:      diffusers"))
        #expect(outcome.stdout.contains("rank:        4"))
        #expect(outcome.stdout.contains("scale:       2 (alpha / r)"))
    }

    @Test func inspectJSONIsValidJSON() throws {
        let outcome = try run(["inspect", Self.fixtures + "/peft_rslora", "--json"])
        #expect(outcome.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        #expect(object?["layout"] as? String == "peft")
        #expect((object?["modules"] as? [Any])?.count == 8)
    }

    @Test func missingInputExits66WithOneLine() throws {
        let outcome = try run(["inspect", "/nonexistent/adapter"])
        #expect(outcome.status == 66)
        #expect(outcome.stderr.split(separator: "\n").count == 1)
        #expect(outcome.stderr.hasPrefix("loractl: "))
    }

    @Test func badDataExits65() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.safetensors")
        try Data("garbage!garbage!".utf8).write(to: bad)
        let outcome = try run(["inspect", bad.path])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.split(separator: "\n").count == 1)
    }

    @Test func pickleExits65WithAHint() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pickle = folder.appendingPathComponent("adapter.bin")
        try Data([0x80, 0x02]).write(to: pickle)
        let outcome = try run(["inspect", pickle.path])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("convert it to safetensors"))
    }

    @Test func usageErrorsExit64() throws {
        #expect(try run(["merge", "--base", "x"]).status == 64)
        #expect(try run(["frobnicate"]).status == 64)
    }

    @Test func packUnpackGivesBackTheSameNamesAndBytes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pack = folder.appendingPathComponent("plain.lorapack").path
        let unpacked = folder.appendingPathComponent("plain.safetensors").path
        #expect(try run(["pack", Self.fixtures + "/diffusers_plain", "--output", pack]).status == 0)
        #expect(try run(["unpack", pack, "--output", unpacked]).status == 0)
        let original = try tensors(Self.fixtures + "/diffusers_plain/pytorch_lora_weights.safetensors")
        let roundTripped = try tensors(unpacked)
        #expect(original == roundTripped)
    }

    @Test func flippedPackByteIsNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pack = folder.appendingPathComponent("meta.lorapack")
        #expect(try run(["pack", Self.fixtures + "/diffusers_meta", "--output", pack.path]).status == 0)
        var bytes = try Data(contentsOf: pack)
        bytes[bytes.count - 20] ^= 0x40
        try bytes.write(to: pack)
        let outcome = try run(["unpack", pack.path, "--output", folder.appendingPathComponent("x.safetensors").path])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("lora_"))
    }

    @Test func mergeWritesEveryBaseTensor() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("merged.safetensors").path
        let outcome = try run([
            "merge", "--base", Self.fixtures + "/base.safetensors",
            "--adapter", Self.fixtures + "/diffusers_plain:0.7", "--adapter", Self.fixtures + "/diffusers_meta:-0.3",
            "--output", output, "--quiet",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try tensors(output).keys == tensors(Self.fixtures + "/base.safetensors").keys)
    }

    @Test func mergeAccumulationModes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let exact = folder.appendingPathComponent("f64.safetensors").path
        let fast = folder.appendingPathComponent("f32.safetensors").path
        let common = ["merge", "--base", Self.fixtures + "/base.safetensors", "--adapter", Self.fixtures + "/diffusers_plain:0.75", "--quiet"]
        #expect(try run(common + ["--output", exact]).status == 0)
        #expect(try run(common + ["--output", fast, "--accumulation", "f32"]).status == 0)
        #expect(try tensors(exact).keys == tensors(fast).keys)
        #expect(try run(common + ["--output", fast, "--accumulation", "f16"]).status == 64)
    }

    @Test func incompatibleAdapterExits65NamingTheTensor() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try run([
            "merge", "--base", Self.fixtures + "/diffusers_plain/pytorch_lora_weights.safetensors",
            "--adapter", Self.fixtures + "/diffusers_meta", "--output", folder.appendingPathComponent("m.safetensors").path,
        ])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("match no tensor of base"))
    }

    /// name -> raw bytes of every tensor in a safetensors file.
    func tensors(_ path: String) throws -> [String: Data] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any] ?? [:]
        var out: [String: Data] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let offsets = info["data_offsets"] as? [Int] else { continue }
            out[name] = data.subdata(in: (8 + length + offsets[0])..<(8 + length + offsets[1]))
        }
        return out
    }
}
