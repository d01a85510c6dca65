/// A protocol version, `major.minor`, encoded as two u16 (major first).
///
/// Minor versions of one major only append (opcodes, trailing fields); a new major may change
/// anything. Versions order lexicographically.
public struct ProtocolVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The major version; a peer that does not speak it cannot talk at all.
    public var major: UInt16
    /// The minor version within `major`.
    public var minor: UInt16

    /// Creates `major.minor`.
    public init(major: UInt16, minor: UInt16) {
        self.major = major
        self.minor = minor
    }

    /// The newest version this codec implements: 1.2 (1.0, plus the `origin` of BaseInfo in
    /// 1.1, plus the error codes `too_many_connections` and `output_stalled` in 1.2). It
    /// speaks 1.0 and 1.1 too.
    public static let current = ProtocolVersion(major: 1, minor: 2)

    /// 1.2: the first version with the error codes `too_many_connections` (114) and
    /// `output_stalled` (115).
    public static let connectionLimitsAndStalls = ProtocolVersion(major: 1, minor: 2)

    /// 1.1: the first version whose BaseInfo records carry `origin`.
    public static let baseOrigin = ProtocolVersion(major: 1, minor: 1)

    /// 1.0: the oldest version of major 1.
    public static let first = ProtocolVersion(major: 1, minor: 0)

    /// `"1.2"`.
    public var description: String { "\(major).\(minor)" }

    /// Orders by major, then minor.
    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// Chooses the version of a connection: the highest version inside the client's offer
    /// `clientMin...clientMax` that the server speaks. `serverSupported` lists, for each major
    /// the server speaks, the highest minor it speaks (it speaks every lower minor too).
    /// Returns `nil` when there is none (or the offer is empty, `clientMin > clientMax`): the
    /// server then sends FATAL `unsupported_version` and closes.
    public static func negotiate(
        clientMin: ProtocolVersion, clientMax: ProtocolVersion, serverSupported: [ProtocolVersion]
    ) -> ProtocolVersion? {
        guard clientMin <= clientMax else { return nil }
        var best: ProtocolVersion?
        for top in serverSupported where top.major >= clientMin.major && top.major <= clientMax.major {
            let candidate = min(top, clientMax)
            guard candidate.major == top.major, candidate >= clientMin else { continue }
            if best.map({ candidate > $0 }) ?? true { best = candidate }
        }
        return best
    }
}
