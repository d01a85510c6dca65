import LoradClient
import LoradSystem
import Synchronization

/// Every segment id the soak has been sent, with what it holds, shared by the clients.
///
/// The protocol promises that equal ids mean identical bytes for the daemon's lifetime. So
/// the first time an id arrives, its memfd is checked (sealed, the announced size) and its
/// bytes compared with the reference for what the request should give; later arrivals of
/// the id need only stand for the same thing. A new id for an identity already seen means
/// lorad built that segment again (it had been evicted): a cold build.
final class SegmentLedger: Sendable {
    private let references: References
    private let known: Mutex<[UInt64: SegmentIdentity]>
    private let builds = Mutex<[SegmentIdentity: Int]>([:])

    /// A ledger that knows the segments seen while `references` were taken.
    init(references: References) {
        self.references = references
        self.known = Mutex(references.seen)
    }

    /// Checks that `segment` holds `identity`.
    /// - Returns: true when its id is new (lorad built it for this request or one beside it).
    /// - Throws: ``SoakFailure`` when the id stood for something else before, the memfd is
    ///   not sealed or is short, or the bytes differ from the reference.
    func check(_ segment: SessionSegment, is identity: SegmentIdentity, context: String) throws(SoakFailure) -> Bool {
        if identity == .base {
            guard segment.segmentID == references.baseSegmentID, segment.byteSize == references.baseSize else {
                throw SoakFailure("\(context): base segment \(segment.segmentID) (\(segment.byteSize) bytes), expected the resident base \(references.baseSegmentID) (\(references.baseSize) bytes)")
            }
            return false
        }
        if let before = known.withLock({ $0[segment.segmentID] }) {
            guard before == identity else {
                throw SoakFailure("\(context): segment \(segment.segmentID) was sent as the \(before) before, now as the \(identity)")
            }
            return false
        }
        guard let expected = references.bytes(of: identity) else {
            throw SoakFailure("\(context): no reference for the \(identity) (a set outside the pool)")
        }
        do {
            let region = try References.sealedMapping(segment, "\(context): the \(identity)")
            let offset = expected.withUnsafeBytes { TensorComparison.firstDifference(region.bytes, $0) }
            if let offset {
                throw SoakFailure("\(context): segment \(segment.segmentID), the \(identity), differs from its reference at byte \(offset) (\(region.count) bytes, reference \(expected.count))")
            }
        } catch let failure as SoakFailure {
            throw failure
        } catch {
            throw SoakFailure("\(context): cannot check segment \(segment.segmentID), the \(identity): \(error)")
        }
        let inserted = known.withLock { $0.updateValue(identity, forKey: segment.segmentID) == nil }
        if inserted { builds.withLock { $0[identity, default: 0] += 1 } }
        return inserted
    }

    /// Distinct segment ids seen for overlays and factors since the references (builds,
    /// counting rebuilds after evictions), and the number of identities they stood for.
    var buildFigures: (segments: Int, identities: Int) {
        builds.withLock { ($0.values.reduce(0, +), $0.count) }
    }
}
