/// What a derived segment is the product of, so that sessions asking for the same thing
/// share one segment.
public enum SegmentKey: Hashable, Sendable, CustomStringConvertible {
    /// One adapter's factors, by the SHA-256 of its pack (the same bytes under any name).
    case factors(adapterDigest: String)
    /// A fused overlay: the resident base it is fused from (``ResidentBase/identity``) and
    /// the ordered active set, each adapter by pack
    /// digest and the bit pattern of its weight (so `0.1` and `0.1000001` differ, and equal
    /// weights always match).
    case overlay(base: String, set: [OverlayTerm])

    /// One adapter of an overlay's set.
    public struct OverlayTerm: Hashable, Sendable {
        /// The SHA-256 of the adapter's pack, lower-case hex.
        public var digest: String
        /// `weight.bitPattern`.
        public var weightBits: UInt64

        /// A term for `digest` applied with `weight`.
        public init(digest: String, weight: Double) {
            self.digest = digest
            self.weightBits = weight.bitPattern
        }

        /// The weight.
        public var weight: Double { Double(bitPattern: weightBits) }
    }

    /// The segment kind the key produces.
    public var kind: String {
        switch self {
        case .factors: "factors"
        case .overlay: "overlay"
        }
    }

    /// Short text for logs and memfd names: `factors-<digest prefix>` or
    /// `<base>+<digest prefix>*<weight>...`.
    public var description: String {
        switch self {
        case .factors(let digest):
            String(digest.prefix(16))
        case .overlay(let base, let set):
            ([base] + set.map { "\($0.digest.prefix(12))*\($0.weight)" }).joined(separator: "+")
        }
    }
}
