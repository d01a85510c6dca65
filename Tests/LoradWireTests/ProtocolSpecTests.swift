import Foundation
import Testing

@testable import LoradWire

/// PROTOCOL.md is normative: these tests keep its tables and the codec in agreement.
@Suite struct ProtocolSpecTests {
    private let spec: String = {
        let url = vectorsDirectory.deletingLastPathComponent().appendingPathComponent("PROTOCOL.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// The cells of every table row in `text` (lines starting with `|`, header rules skipped).
    private func rows(_ text: Substring) -> [[String]] {
        text.split(separator: "\n").filter { $0.hasPrefix("|") && !$0.hasPrefix("| ---") }.map { line in
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The text from the line starting with `heading` to the next line starting with `#`
    /// or `**` (the next heading or reply title).
    private func section(startingWith heading: String) -> Substring? {
        guard let start = spec.range(of: "\n" + heading) else { return nil }
        let rest = spec[start.upperBound...]
        let body = rest.drop { $0 != "\n" }
        var end = body.endIndex
        for marker in ["\n#", "\n**"] {
            if let range = body.range(of: marker), range.lowerBound < end { end = range.lowerBound }
        }
        return body[..<end]
    }

    /// The backquoted field names of the field table in `text`.
    private func fieldNames(_ text: Substring) -> [String] {
        rows(text).dropFirst().compactMap { $0.first?.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
    }

    /// Swift property names, normalised to compare with the spec's snake_case names.
    private func normalised(_ name: String) -> String {
        let aliases = ["rawcode": "code", "uptimemilliseconds": "uptimems", "gracemilliseconds": "gracems"]
        let flat = name.lowercased().replacingOccurrences(of: "_", with: "")
        return aliases[flat] ?? flat
    }

    private func labels(_ value: Any) -> [String] {
        Mirror(reflecting: value).children.compactMap(\.label).map(normalised)
    }

    private func payload(of message: Sample.Message) -> Any {
        let outer: Any =
            switch message {
            case .client(let m): m
            case .server(let m): m
            }
        return Mirror(reflecting: outer).children.first?.value ?? outer
    }

    @Test func opcodeTableMatchesTheCode() {
        var documented: [UInt16: String] = [:]
        for row in rows(spec[...]) where row.count >= 2 && row[0].hasPrefix("0x") {
            if let value = UInt16(row[0].dropFirst(2), radix: 16) { documented[value] = row[1] }
        }
        #expect(documented.count == Opcode.allCases.count)
        for opcode in Opcode.allCases {
            #expect(documented[opcode.rawValue] == opcode.wireName, "\(opcode)")
        }
    }

    @Test func errorTableMatchesTheCode() {
        var documented: [UInt16: [String]] = [:]
        for row in rows(spec[...]) where row.count == 5 {
            if let value = UInt16(row[0]) { documented[value] = row }
        }
        #expect(documented.count == ErrorCode.allCases.count)
        for code in ErrorCode.allCases {
            let row = documented[code.rawValue]
            #expect(row?[1] == code.name)
            #expect(row?[2] == (code.isFatal ? "FATAL" : "ERROR"), "\(code)")
            #expect(row?[3] == (code.isRetryable ? "yes" : "no"), "\(code)")
        }
    }

    @Test(arguments: samples)
    func fieldTablesListTheFieldsInWireOrder(sample: Sample) throws {
        let opcode: Opcode =
            switch sample.message {
            case .client(let m): m.opcode
            case .server(let m): m.opcode
            }
        let hex = String(opcode.rawValue, radix: 16, uppercase: true)
        let code = "0x" + String(repeating: "0", count: 4 - hex.count) + hex
        let table: Substring? =
            switch opcode.kind {
            case .request, .event: section(startingWith: "### \(code) ")
            case .reply where spec.contains("**\(code) \(opcode.wireName)**: SessionReply"):
                section(startingWith: "### SessionReply")
            case .reply: section(startingWith: "**\(code) ")
            case .error, .fatal, .reserved: section(startingWith: "### 0xFFFE ERROR")
            }
        let documented = try #require(table, "no section for \(opcode)")
        let names = fieldNames(documented).map(normalised)
        #expect(names == labels(payload(of: sample.message)), "\(opcode)")
        if names.isEmpty { #expect(documented.contains("(empty payload)"), "\(opcode)") }
    }

    @Test func recordTablesListTheFieldsInWireOrder() throws {
        let records: [(String, Any)] = [
            ("AdapterRef", AdapterRef(name: "a")),
            ("WeightedAdapter", WeightedAdapter(adapter: AdapterRef(name: "a"), weight: 1)),
            ("ActiveAdapter", ActiveAdapter(name: "a", version: 1, weight: 1)),
            ("SegmentDescriptor", SegmentDescriptor(kind: .base, segmentID: 1, byteSize: 1, fd: 1)),
            ("BaseInfo", BaseInfo(name: "b", state: .ready, byteSize: 1, tensorCount: 1)),
            (
                "AdapterSummary",
                AdapterSummary(name: "a", latestVersion: 1, rank: 1, storedBytes: 1, tags: [])
            ),
            ("ImportFile", ImportFile(fileName: "f", fd: 1)),
            ("VerifyProblem", VerifyProblem(subject: "s", message: "m")),
        ]
        for (name, value) in records {
            let documented = try #require(section(startingWith: "### \(name) ("), "no section for \(name)")
            #expect(fieldNames(documented).map(normalised) == labels(value), "\(name)")
        }
    }
}
