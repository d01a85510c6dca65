import LoradSystem
import LoradWire

/// A session as a session reply describes it (OPEN_SESSION, ATTACH, DETACH, SWITCH,
/// GET_SEGMENTS): its active set after the request and the segments to map.
///
/// The segments' descriptors are owned by the holder: map them with `SessionSegments`
/// or close them with `closeDescriptors()`.
public struct SessionState: Sendable {
    /// The session, for later requests on it.
    public var sessionID: UInt64
    /// The session's base.
    public var base: String
    /// Factor segments per adapter, or one fused overlay.
    public var mode: SessionMode
    /// Bumped by every change of the active set; 0 when opened. Larger is newer.
    public var generation: UInt64
    /// The active set in order, versions resolved.
    public var active: [ActiveAdapter]
    /// The base first, then one `factors` segment per active adapter (factors mode) or one
    /// `overlay` when the set is not empty (fused mode).
    public var segments: [SessionSegment]

    /// Makes a state from its fields.
    public init(
        sessionID: UInt64, base: String, mode: SessionMode, generation: UInt64,
        active: [ActiveAdapter], segments: [SessionSegment]
    ) {
        self.sessionID = sessionID
        self.base = base
        self.mode = mode
        self.generation = generation
        self.active = active
        self.segments = segments
    }

    /// The state a decoded reply describes; its descriptors become the state's.
    public init(_ reply: SessionReply) {
        self.init(
            sessionID: reply.sessionID, base: reply.base, mode: reply.mode, generation: reply.generation,
            active: reply.active, segments: reply.segments.map(SessionSegment.init))
    }

    /// The base segment (the first), if the reply had one.
    public var baseSegment: SessionSegment? { segments.first { $0.kind == .base } }

    /// Closes every segment descriptor (errors ignored).
    public func closeDescriptors() {
        for segment in segments { try? segment.descriptor.close() }
    }
}
