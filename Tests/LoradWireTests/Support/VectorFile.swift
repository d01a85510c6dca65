import Foundation
import LoradTestSupport
import LoradWire

/// The text format of protocol/vectors/*.hex (PROTOCOL.md, "Golden vectors"): `# key: value`
/// comment lines, then the frame as hex, the 16 header bytes on the first line and the payload
/// 16 bytes a line.
struct VectorFile: Equatable {
    var fields: [(key: String, value: String)]
    var bytes: [UInt8]

    static func == (lhs: VectorFile, rhs: VectorFile) -> Bool {
        lhs.bytes == rhs.bytes && lhs.fields.map(\.key) == rhs.fields.map(\.key)
            && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }

    func value(_ key: String) -> String? { fields.first { $0.key == key }?.value }

    var text: String {
        var lines = fields.map { "# \($0.key): \($0.value)" }
        let header = bytes.prefix(FrameHeader.size)
        lines.append(hex(header))
        var offset = header.count
        while offset < bytes.count {
            let end = min(offset + 16, bytes.count)
            lines.append(hex(bytes[offset..<end]))
            offset = end
        }
        return lines.joined(separator: "\n") + "\n"
    }

    init(fields: [(key: String, value: String)], bytes: [UInt8]) {
        self.fields = fields
        self.bytes = bytes
    }

    /// Parses the format; `nil` when a line is neither a comment nor hex byte pairs.
    init?(text: String) {
        fields = []
        bytes = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") {
                let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
                guard let colon = body.firstIndex(of: ":") else { continue }
                fields.append(
                    (String(body[..<colon]), body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                continue
            }
            for pair in line.split(separator: " ") {
                guard pair.count == 2, let byte = UInt8(pair, radix: 16) else { return nil }
                bytes.append(byte)
            }
        }
    }

    private func hex(_ slice: some Collection<UInt8>) -> String {
        slice.map { String(format: "%02x", $0) }.joined(separator: " ")
    }
}

/// protocol/vectors/ in this checkout.
let vectorsDirectory: URL = URL(fileURLWithPath: RepositoryPaths.root).appendingPathComponent("protocol/vectors")

/// Whether the run should (re)write the vector files instead of comparing against them.
let writingVectors = ProcessInfo.processInfo.environment["LORAD_WRITE_VECTORS"] == "1"
