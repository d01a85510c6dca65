import LoradSystem
import LoradWire

/// One segment of a session reply: a sealed memfd holding one safetensors file.
///
/// The descriptor is owned by whoever holds the value: map it (see `SessionSegments`)
/// and close it, or just close it.
public struct SessionSegment: Sendable, Hashable {
    /// What the segment holds: the base, one adapter's factors, or a fused overlay.
    public var kind: SegmentKind
    /// Identifies the bytes for the daemon's lifetime: equal ids mean identical bytes.
    public var segmentID: UInt64
    /// The segment's size in bytes (the length to map).
    public var byteSize: UInt64
    /// For `factors` segments, the index of its adapter in `SessionState.active`.
    public var adapterIndex: Int?
    /// The sealed memfd, to map read-only; owned by the holder.
    public var descriptor: FileDescriptor

    /// Makes a segment from its fields.
    public init(kind: SegmentKind, segmentID: UInt64, byteSize: UInt64, adapterIndex: Int?, descriptor: FileDescriptor) {
        self.kind = kind
        self.segmentID = segmentID
        self.byteSize = byteSize
        self.adapterIndex = adapterIndex
        self.descriptor = descriptor
    }

    /// The segment a wire descriptor names (its `fd` is a received descriptor number).
    init(_ wire: SegmentDescriptor) {
        self.init(
            kind: wire.kind, segmentID: wire.segmentID, byteSize: wire.byteSize,
            adapterIndex: wire.adapterIndex.map(Int.init), descriptor: FileDescriptor(rawValue: wire.fd))
    }
}
