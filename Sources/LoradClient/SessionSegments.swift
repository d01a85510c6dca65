import LoradSystem
import LoradWire

/// A session state with every segment mapped read-only: what a generator keeps while it
/// uses one generation of weights.
///
/// Mapping takes the state's descriptors: they are closed once mapped (mappings outlive
/// their descriptors), and also when mapping fails. Segments whose `segmentID` the
/// `previous` mapping already holds reuse its mapping instead of mapping again, which is
/// what the protocol's segment ids are for (the base is mapped once per process).
public final class SessionSegments: Sendable {
    /// The session.
    public let sessionID: UInt64
    /// The session's base.
    public let base: String
    /// The session's mode.
    public let mode: SessionMode
    /// The generation these segments belong to.
    public let generation: UInt64
    /// The active set, versions resolved, in order.
    public let active: [ActiveAdapter]
    /// The mapped segments in reply order: the base first.
    public let segments: [MappedSegment]

    /// Maps every segment of `state` (see the type's notes on descriptors and reuse).
    ///
    /// - Throws: `LoradClientError.invalidSegment` when a segment's descriptor is smaller
    ///   than its announced size or the size does not fit this process, `.system` when
    ///   `fstat` or `mmap` fails.
    public init(mapping state: SessionState, reusing previous: SessionSegments? = nil) throws(LoradClientError) {
        defer { state.closeDescriptors() }
        var known: [UInt64: MappedRegion] = [:]
        for segment in previous?.segments ?? [] { known[segment.segmentID] = segment.region }
        var mapped: [MappedSegment] = []
        mapped.reserveCapacity(state.segments.count)
        for segment in state.segments {
            let region: MappedRegion
            if let reused = known[segment.segmentID] {
                region = reused
            } else {
                region = try Self.map(segment)
            }
            known[segment.segmentID] = region
            mapped.append(MappedSegment(
                kind: segment.kind, segmentID: segment.segmentID, adapterIndex: segment.adapterIndex, region: region))
        }
        sessionID = state.sessionID
        base = state.base
        mode = state.mode
        generation = state.generation
        active = state.active
        segments = mapped
    }

    /// The base segment.
    public var baseSegment: MappedSegment? { segments.first { $0.kind == .base } }

    /// The fused overlay (fused mode with a non-empty set).
    public var overlay: MappedSegment? { segments.first { $0.kind == .overlay } }

    /// The factor segment of the adapter at `index` of `active` (factors mode).
    public func factors(forAdapterAt index: Int) -> MappedSegment? {
        segments.first { $0.kind == .factors && $0.adapterIndex == index }
    }

    private static func map(_ segment: SessionSegment) throws(LoradClientError) -> MappedRegion {
        guard let length = Int(exactly: segment.byteSize) else {
            throw .invalidSegment("segment \(segment.segmentID) announces \(segment.byteSize) bytes, more than this process can map")
        }
        let actual: Int
        do {
            actual = try segment.descriptor.status().size
        } catch {
            throw .system(error)
        }
        guard actual >= length else {
            throw .invalidSegment("segment \(segment.segmentID) announces \(length) bytes but its descriptor holds \(actual)")
        }
        do {
            return try MappedRegion(fileDescriptor: segment.descriptor, offset: 0, length: length)
        } catch {
            throw .system(error)
        }
    }
}
