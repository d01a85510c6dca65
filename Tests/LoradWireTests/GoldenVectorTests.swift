import Foundation
import Testing

@testable import LoradWire

/// Checks protocol/vectors/ against the codec: every file decodes to its sample and re-encodes
/// bit-exactly. With LORAD_WRITE_VECTORS=1 the files are (re)written from the samples instead.
@Suite struct GoldenVectorTests {
    private func file(for sample: Sample) throws -> VectorFile {
        let frame = try sample.encode()
        let opcode = UInt16(frame.bytes[4]) | UInt16(frame.bytes[5]) << 8
        return VectorFile(
            fields: [
                ("name", sample.name),
                ("description", sample.description),
                ("direction", sample.isClient ? "client-to-server" : "server-to-client"),
                ("opcode", Opcode(rawValue: opcode)?.description ?? "?"),
                ("request_id", "\(sample.requestID)"),
                ("fds", "\(frame.fds.count)"),
                ("expect", "ok"),
            ], bytes: frame.bytes)
    }

    private func file(for vector: InvalidVector) -> VectorFile {
        VectorFile(
            fields: [
                ("name", vector.name),
                ("description", vector.description),
                ("direction", vector.fromClient ? "client-to-server" : "server-to-client"),
                ("fds", "\(vector.fds.count)"),
                ("expect", "error \(vector.expected.name)"),
            ], bytes: vector.bytes)
    }

    /// Writes `expected` when writing vectors; otherwise returns what is on disk.
    private func onDisk(_ expected: VectorFile, path: URL) throws -> VectorFile {
        if writingVectors {
            try FileManager.default.createDirectory(
                at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try expected.text.write(to: path, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOf: path, encoding: .utf8)
        return try #require(VectorFile(text: text), "\(path.lastPathComponent) is not in the vector format")
    }

    @Test(arguments: samples)
    func validVectorDecodesAndReencodesBitExactly(sample: Sample) throws {
        let expected = try file(for: sample)
        let path = vectorsDirectory.appendingPathComponent("\(sample.name).hex")
        let stored = try onDisk(expected, path: path)
        #expect(stored == expected, "regenerate with LORAD_WRITE_VECTORS=1 if the change is intended")
        #expect(stored.text == expected.text)

        let fds = (0..<(Int(stored.value("fds") ?? "") ?? -1)).map { fdA + Int32($0) }
        let message = try decodeOne(stored.bytes, fds: fds, client: sample.isClient)
        #expect(message == sample.message)
        let again: EncodedFrame =
            switch message {
            case .client(let m): try m.encode(requestID: sample.requestID)
            case .server(let m): try m.encode(requestID: sample.requestID)
            }
        #expect(again.bytes == stored.bytes)
        #expect(again.fds == fds)
    }

    @Test(arguments: invalidVectors)
    func invalidVectorFailsWithItsCode(vector: InvalidVector) throws {
        let expected = file(for: vector)
        let path = vectorsDirectory.appendingPathComponent("invalid/\(vector.name).hex")
        let stored = try onDisk(expected, path: path)
        #expect(stored == expected, "regenerate with LORAD_WRITE_VECTORS=1 if the change is intended")

        let fds = (0..<(Int(stored.value("fds") ?? "") ?? -1)).map { fdA + Int32($0) }
        for chunk in [Int.max, 1] {
            let error = caught { () throws(WireError) in
                try decodeOne(stored.bytes, fds: fds, client: vector.fromClient, chunkSize: chunk)
            }
            #expect(error?.code == vector.expected, "\(error?.description ?? "decoded without error")")
        }
    }

    /// Skipped while writing (the writers run in parallel); delete stale files by hand then.
    @Test(.disabled(if: writingVectors, "writing vectors"))
    func everyVectorFileBelongsToASample() throws {
        let manager = FileManager.default
        let valid = try manager.contentsOfDirectory(atPath: vectorsDirectory.path).filter { $0.hasSuffix(".hex") }
        #expect(Set(valid) == Set(samples.map { "\($0.name).hex" }))
        let invalid = try manager.contentsOfDirectory(atPath: vectorsDirectory.appendingPathComponent("invalid").path)
            .filter { $0.hasSuffix(".hex") }
        #expect(Set(invalid) == Set(invalidVectors.map { "\($0.name).hex" }))
    }
}
