/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny seeded 64-bit generator, so that
/// random test data and fuzz runs repeat exactly from run to run.
///
/// Each call to ``next()`` first adds the golden-ratio increment `0x9E3779B97F4A7C15` to
/// the state (wrapping), then mixes the new state; the same seed therefore always yields
/// the same stream. It is not cryptographically secure and is meant for tests only.
/// A value type: copying it forks the stream (both copies then produce the same values).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The current 64-bit state; the next output is derived from `state &+ 0x9E3779B97F4A7C15`.
    public var state: UInt64

    /// A generator starting from `seed` (any value, including 0, is a valid seed).
    @inlinable
    public init(seed: UInt64) { state = seed }

    /// Advances the state and returns the next 64 uniformly distributed bits. Never fails.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound`, drawn with the standard library's
    /// `next(upperBound:)`. `bound` must be greater than 0 (a test-authoring bug otherwise;
    /// the standard library traps).
    @inlinable
    public mutating func below(_ bound: Int) -> Int { Int(next(upperBound: UInt64(bound))) }
}
