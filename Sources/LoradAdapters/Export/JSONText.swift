import LoradTensors

/// Deterministic JSON text builders for metadata values and command output.
public enum JSONText {
    /// A JSON string literal with the escapes JSON requires (the safetensors header
    /// writer's quoting, `JSONValue.appendQuoted`).
    public static func string(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        JSONValue.appendQuoted(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON number: integral values without a fraction, others in Swift's
    /// shortest round-trip form; non-finite values become `null`.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// An array of integers.
    public static func ints(_ values: [Int]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }

    /// An array of already-encoded values.
    public static func array(_ values: [String]) -> String {
        "[" + values.joined(separator: ",") + "]"
    }

    /// A JSON object from (key, already-encoded value) pairs, in the order given.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
