import Foundation

/// One frame of protocol/vectors (see PROTOCOL.md, "Golden vectors"): its `# key: value`
/// comments and its bytes.
struct GoldenVector: Sendable, CustomStringConvertible {
    /// The file name without `.hex`.
    var name: String
    /// The comment keys (`direction`, `fds`, `expect`...).
    var meta: [String: String]
    /// The frame's bytes.
    var bytes: [UInt8]

    /// Reads `protocol/vectors/<relativePath>.hex`.
    init(_ relativePath: String) throws {
        let path = TestPaths.vectors + "/" + relativePath + ".hex"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var meta: [String: String] = [:]
        var bytes: [UInt8] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") {
                let body = line.dropFirst()
                guard let colon = body.firstIndex(of: ":") else { continue }
                meta[body[..<colon].trimmingCharacters(in: .whitespaces)] =
                    body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            } else {
                for pair in line.split(separator: " ") {
                    guard let byte = UInt8(pair, radix: 16) else { throw EndToEndFailure("\(path): bad hex byte \(pair)") }
                    bytes.append(byte)
                }
            }
        }
        self.name = meta["name"] ?? relativePath
        self.meta = meta
        self.bytes = bytes
    }

    /// Every vector of `protocol/vectors/invalid` a client could send (`client-to-server`).
    static func invalidRequests() throws -> [GoldenVector] {
        let folder = TestPaths.vectors + "/invalid"
        return try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".hex") }.sorted()
            .map { try GoldenVector("invalid/" + $0.dropLast(4)) }
            .filter { $0.meta["direction"] == "client-to-server" }
    }

    /// How many placeholder descriptors travel with the frame (`fds`).
    var fdCount: Int { Int(meta["fds"] ?? "0") ?? 0 }

    /// The error name a receiver reports (`expect: error NAME`), nil for valid vectors.
    var expectedError: String? {
        guard let expect = meta["expect"], expect.hasPrefix("error ") else { return nil }
        return String(expect.dropFirst("error ".count))
    }

    /// The request id in the frame's header (bytes 12..<16).
    var requestID: UInt32 {
        guard bytes.count >= 16 else { return 0 }
        return (12..<16).reduce(UInt32(0)) { $0 | UInt32(bytes[$1]) << (8 * UInt32($1 - 12)) }
    }

    var description: String { name }
}
