/// The reply to OPEN_SESSION, ATTACH, DETACH, SWITCH and GET_SEGMENTS: the session's state and
/// every segment the client maps for it, descriptors attached.
///
/// Fields in wire order (PROTOCOL.md): `session_id` u64, `base` str, `mode` u8 (SessionMode),
/// `generation` u64, `active` list<record ActiveAdapter>, `segments` list<record
/// SegmentDescriptor>.
public struct SessionReply: WireCodable, Hashable {
    /// The session.
    public var sessionID: UInt64
    /// The session's base.
    public var base: String
    /// The session's mode.
    public var mode: SessionMode
    /// Bumped by every change of the active set; 0 when opened.
    public var generation: UInt64
    /// The active set in order, versions resolved.
    public var active: [ActiveAdapter]
    /// The segments to map: the base first, then one `factors` segment per active adapter (factors
    /// mode) or one `overlay` when the set is not empty (fused mode).
    public var segments: [SegmentDescriptor]

    /// Creates the payload from its fields.
    public init(
        sessionID: UInt64,
        base: String,
        mode: SessionMode,
        generation: UInt64,
        active: [ActiveAdapter],
        segments: [SegmentDescriptor]
    ) {
        self.sessionID = sessionID
        self.base = base
        self.mode = mode
        self.generation = generation
        self.active = active
        self.segments = segments
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        sessionID = try reader.u64("session_id")
        base = try reader.string("base", maxBytes: WireLimits.maxNameBytes)
        mode = try reader.enumeration("mode", SessionMode.self)
        generation = try reader.u64("generation")
        active = try reader.records("active", maxCount: WireLimits.maxActiveAdapters, ActiveAdapter.self)
        segments = try reader.records("segments", maxCount: WireLimits.maxSegments, SegmentDescriptor.self)
        if let problem = adapterIndexProblem { throw reader.malformed("segments", problem) }
    }

    /// What is wrong with the segments' adapter indexes, or `nil` when each is inside `active`.
    private var adapterIndexProblem: String? {
        for (position, segment) in segments.enumerated() {
            if let index = segment.adapterIndex, Int(index) >= active.count {
                return "segment \(position) names adapter \(index) but the active set has \(active.count)"
            }
        }
        return nil
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        if let problem = adapterIndexProblem { throw writer.invalid("segments", problem) }
        writer.u64(sessionID)
        try writer.string(base, "base", maxBytes: WireLimits.maxNameBytes)
        writer.enumeration(mode)
        writer.u64(generation)
        try writer.records(active, "active", maxCount: WireLimits.maxActiveAdapters)
        try writer.records(segments, "segments", maxCount: WireLimits.maxSegments)
    }
}
