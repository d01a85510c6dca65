import LoradClient
import LoradWire

/// What a session reply must say and hold for an active set, as lists of problems (empty
/// when all is right), so that threads can collect them and report them together.
struct SessionCheck: Sendable {
    /// The offline reference.
    let reference: ReferenceMerges

    /// Checks against `reference`.
    init(reference: ReferenceMerges) { self.reference = reference }

    /// Checks against offline merges of `sets`, written into `folder`.
    init(sets: [AdapterSet], folder: TemporaryFolder) throws {
        reference = try ReferenceMerges(sets: sets, folder: folder)
    }

    /// The scale (alpha / r) each fixture adapter's modules must carry, from
    /// Tests/Fixtures/SOURCE.md: `diffusers_plain` stores no alpha (scale 1), `diffusers_meta`
    /// stores r = 4, alpha = 8 (scale 2).
    static let scales = ["plain": 1.0, "meta": 2.0]

    /// Checks the reply's fields against the request: the session, mode and generation,
    /// the active set (version 1 of each adapter, weights as sent) and the segment list
    /// (the base first, then one `factors` per adapter in set order, or one `overlay` when
    /// the set is not empty).
    func replyProblems(
        _ state: SessionState, session: UInt64, mode: SessionMode, generation: UInt64, set: AdapterSet
    ) -> [String] {
        var problems: [String] = []
        let context = "session \(session) generation \(generation) \(set)"
        if state.sessionID != session { problems.append("\(context): reply names session \(state.sessionID)") }
        if state.mode != mode { problems.append("\(context): reply has mode \(state.mode)") }
        if state.generation != generation { problems.append("\(context): reply has generation \(state.generation)") }
        if state.base != DaemonProcess.baseName { problems.append("\(context): reply has base \(state.base)") }
        if state.active != set.expectedActive { problems.append("\(context): active set is \(state.active)") }
        var expected: [(SegmentKind, Int?)] = [(.base, nil)]
        switch mode {
        case .factors: expected += set.entries.indices.map { (.factors, $0) }
        case .fused: if !set.entries.isEmpty { expected.append((.overlay, nil)) }
        }
        let actual = state.segments.map { ($0.kind, $0.adapterIndex) }
        if !actual.elementsEqual(expected, by: { $0.0 == $1.0 && $0.1 == $1.1 }) {
            problems.append("\(context): segments are \(actual), expected \(expected)")
        }
        return problems
    }

    /// Checks the mapped segments' contents: the base equals the base file (when
    /// `checkBase`), the overlay equals the offline merge, each factors segment equals the
    /// fixture's A/B tensors with the adapter's scales.
    func contentProblems(_ mapped: SessionSegments, set: AdapterSet, checkBase: Bool) -> [String] {
        var problems: [String] = []
        do {
            if checkBase {
                guard let base = mapped.baseSegment else { return ["\(set): no base segment"] }
                let tensors = try TensorFile(region: base.region)
                if tensors.tensors != reference.base.tensors {
                    problems.append("\(set): base segment differs from the base file")
                }
            }
            switch mapped.mode {
            case .fused:
                if let overlay = mapped.overlay {
                    problems += reference.overlayProblems(try TensorFile(region: overlay.region), for: set)
                } else if !set.entries.isEmpty {
                    problems.append("\(set): fused session without an overlay")
                }
            case .factors:
                for (index, entry) in set.entries.enumerated() {
                    guard let segment = mapped.factors(forAdapterAt: index) else {
                        problems.append("\(set): no factors segment for \(entry.name)")
                        continue
                    }
                    problems += reference.factorsProblems(
                        try TensorFile(region: segment.region), adapter: entry.name, scale: Self.scales[entry.name] ?? .nan)
                }
            }
        } catch {
            problems.append("\(set): a segment is not a readable safetensors file: \(error)")
        }
        return problems
    }
}
