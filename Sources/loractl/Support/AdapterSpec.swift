/// An `ADAPTER[:WEIGHT]` argument: a path (or store name) and a weight.
///
/// The argument is split at its last ':' only when what follows is a plain
/// decimal number (`dir:-0.3` is `dir` with -0.3, `a:b:0.5` is `a:b` with 0.5,
/// `a:b` is `a:b` with 1); otherwise the whole string is the path.
struct AdapterSpec: Equatable {
    /// The path or name.
    var path: String
    /// The weight, 1 by default; multiplies the adapter's own scale.
    var weight: Double

    /// Parses an argument; nil when the path part is empty or the weight is not finite.
    init?(argument: String) {
        if let colon = argument.lastIndex(of: ":") {
            let tail = argument[argument.index(after: colon)...]
            if Self.isPlainDecimal(tail), let weight = Double(tail), weight.isFinite {
                let head = String(argument[..<colon])
                guard !head.isEmpty else { return nil }
                self.path = head
                self.weight = weight
                return
            }
        }
        guard !argument.isEmpty else { return nil }
        self.path = argument
        self.weight = 1
    }

    /// Makes a spec directly.
    init(path: String, weight: Double) {
        self.path = path
        self.weight = weight
    }

    /// `[+-]?digits[.digits]` or `[+-]?.digits`: no exponent, no inf or nan.
    static func isPlainDecimal(_ text: Substring) -> Bool {
        var rest = text
        if let first = rest.first, first == "-" || first == "+" { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count <= 2, !rest.isEmpty, rest != "." else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
            && (parts[0].count + (parts.count == 2 ? parts[1].count : 0)) > 0
    }
}
