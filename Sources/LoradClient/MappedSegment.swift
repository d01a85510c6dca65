import LoradSystem
import LoradWire

/// One segment of a session, mapped read-only (`PROT_READ`, `MAP_SHARED`).
///
/// The bytes are one safetensors file; they stay valid while `region` is alive, also after
/// the session switches or the connection closes (segments are immutable: sealed memfds).
public struct MappedSegment: Sendable {
    /// What the segment holds.
    public var kind: SegmentKind
    /// Identifies the bytes for the daemon's lifetime.
    public var segmentID: UInt64
    /// For `factors` segments, the index of its adapter in the session's active set.
    public var adapterIndex: Int?
    /// The mapping; `region.bytes` is the safetensors file.
    public var region: MappedRegion

    /// Makes a mapped segment from its fields.
    public init(kind: SegmentKind, segmentID: UInt64, adapterIndex: Int?, region: MappedRegion) {
        self.kind = kind
        self.segmentID = segmentID
        self.adapterIndex = adapterIndex
        self.region = region
    }
}
