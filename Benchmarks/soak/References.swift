import Glibc
import LoradClient
import LoradSystem
import LoradTensors
import LoradWire

/// The bytes each segment the soak can be sent must hold, taken from a calm daemon before
/// the load, and checked there against outputs lorad makes another way: the base segment's
/// tensors against the base file, each overlay's tensors against the same tensors of a
/// MERGE of its set (which streams the model and shares no cache with sessions), each
/// factors segment's tensors against the adapter's EXPORT.
final class References: Sendable {
    /// What the catalog says of one adapter of the pool.
    struct AdapterFacts: Sendable {
        var version: UInt32
        var digest: String
        var sourceFormat: String
        var rank: UInt32
        var moduleCount: UInt32
    }

    /// The configured base the sessions are on.
    let base: String
    /// The base segment's id: constant while lorad runs (the soak never evicts the base).
    let baseSegmentID: UInt64
    /// The base segment's size in bytes.
    let baseSize: UInt64
    /// The pool's adapters, by name.
    let adapters: [String: AdapterFacts]
    /// The adapter names in pool order.
    let adapterNames: [String]
    /// The weights pool sets use.
    let weights: [Double]
    /// Every set the soak asks for (``SoakSet/pool(adapters:weights:)``).
    let pool: [SoakSet]
    /// The segment ids seen while the references were taken, with what they hold.
    let seen: [UInt64: SegmentIdentity]
    private let contents: [SegmentIdentity: [UInt8]]

    private init(
        base: String, baseSegmentID: UInt64, baseSize: UInt64, adapters: [String: AdapterFacts], adapterNames: [String],
        weights: [Double], contents: [SegmentIdentity: [UInt8]], seen: [UInt64: SegmentIdentity]
    ) {
        self.base = base
        self.baseSegmentID = baseSegmentID
        self.baseSize = baseSize
        self.adapters = adapters
        self.adapterNames = adapterNames
        self.weights = weights
        self.pool = SoakSet.pool(adapters: adapterNames, weights: weights)
        self.contents = contents
        self.seen = seen
    }

    /// The bytes an overlay or factors segment must hold (nil for the base, which is
    /// checked by id, and for sets outside the pool).
    func bytes(of identity: SegmentIdentity) -> [UInt8]? { contents[identity] }

    /// Waits for `base` to be ready, then takes every reference over `connection` (one
    /// fused and one factors session, closed at the end) and checks it as the type says.
    /// `log` gets one line per step.
    static func take(
        connection: LoradConnection, base: String, baseFile: String, adapters names: [String], weights: [Double],
        log: (String) -> Void
    ) throws -> References {
        try waitReady(connection, base: base)
        var facts: [String: AdapterFacts] = [:]
        for name in names {
            let shown = try connection.showAdapter(AdapterRef(name: name))
            facts[name] = AdapterFacts(
                version: shown.version, digest: shown.digest, sourceFormat: shown.sourceFormat, rank: shown.rank,
                moduleCount: shown.moduleCount)
        }
        var contents: [SegmentIdentity: [UInt8]] = [:]
        var seen: [UInt64: SegmentIdentity] = [:]

        let fused = try connection.openSession(base: base, mode: .fused)
        defer { fused.closeDescriptors() }
        guard let baseSegment = fused.baseSegment, fused.segments.count == 1 else {
            throw SoakFailure("OPEN_SESSION on \(base) did not answer with the base segment alone")
        }
        let file = try MappedRegion(path: baseFile)
        let baseRegion = try sealedMapping(baseSegment, "the base segment")
        let tensors = try TensorComparison.check(baseRegion.bytes, against: file.bytes, coverage: .same, what: "the base segment")
        log("base \(base): segment \(baseSegment.segmentID), \(baseSegment.byteSize) bytes, \(tensors) tensors equal to \(baseFile)")
        seen[baseSegment.segmentID] = .base

        let pool = SoakSet.pool(adapters: names, weights: weights)
        for set in pool where !set.terms.isEmpty {
            let state = try connection.switchAdapters(session: fused.sessionID, to: set.weightedAdapters)
            defer { state.closeDescriptors() }
            guard state.segments.count == 2, state.segments[1].kind == .overlay else {
                throw SoakFailure("SWITCH to \(set) did not answer with the base and one overlay")
            }
            let overlay = try sealedMapping(state.segments[1], "the overlay of \(set)")
            let merged = try mergeOutput(connection, base: base, set: set)
            try TensorComparison.check(overlay.bytes, against: merged.bytes, coverage: .subset, what: "the overlay of \(set) against MERGE")
            // ...and holds every tensor the merge changed.
            let changed = try TensorComparison.differingNames(merged.bytes, from: file.bytes, what: "MERGE of \(set)")
            let held = Set(try SafetensorsHeader.parse(overlay.bytes).entries.map(\.name))
            guard changed.isSubset(of: held), !changed.isEmpty else {
                throw SoakFailure("the overlay of \(set) lacks tensors its MERGE changed: \(changed.subtracting(held).sorted().prefix(3))")
            }
            contents[.overlay(set)] = Array(overlay.bytes)
            seen[state.segments[1].segmentID] = .overlay(set)
        }
        log("\(pool.count - 1) overlays, each equal tensor for tensor to a MERGE of its set and holding every tensor the MERGE changed")
        try connection.closeSession(fused.sessionID)

        let factors = try connection.openSession(base: base, mode: .factors)
        factors.closeDescriptors()
        for name in names {
            let state = try connection.switchAdapters(
                session: factors.sessionID, to: [WeightedAdapter(adapter: AdapterRef(name: name), weight: 1)])
            defer { state.closeDescriptors() }
            guard state.segments.count == 2, state.segments[1].kind == .factors else {
                throw SoakFailure("SWITCH of a factors session to \(name) did not answer with the base and one factors segment")
            }
            let segment = try sealedMapping(state.segments[1], "the factors of \(name)")
            let exported = try exportOutput(connection, adapter: name)
            try TensorComparison.check(segment.bytes, against: exported.bytes, coverage: .same, what: "the factors of \(name) against EXPORT")
            contents[.factors(adapter: name)] = Array(segment.bytes)
            seen[state.segments[1].segmentID] = .factors(adapter: name)
        }
        log("\(names.count) factors segments, each equal tensor for tensor to the adapter's EXPORT")
        try connection.closeSession(factors.sessionID)
        return References(
            base: base, baseSegmentID: baseSegment.segmentID, baseSize: baseSegment.byteSize, adapters: facts,
            adapterNames: names, weights: weights, contents: contents, seen: seen)
    }

    /// Maps a segment after checking that its memfd is sealed against every change and holds
    /// at least the announced bytes.
    static func sealedMapping(_ segment: SessionSegment, _ what: String) throws -> MappedRegion {
        let seals = try Memfd.seals(of: segment.descriptor)
        guard seals.isSuperset(of: .immutable) else {
            throw SoakFailure("\(what) (segment \(segment.segmentID)) is not sealed: seals \(seals.rawValue)")
        }
        let size = try segment.descriptor.size()
        guard let length = Int(exactly: segment.byteSize), size >= length else {
            throw SoakFailure("\(what) (segment \(segment.segmentID)) announces \(segment.byteSize) bytes, its memfd holds \(size)")
        }
        return try MappedRegion(fileDescriptor: segment.descriptor, offset: 0, length: length)
    }

    /// Polls LIST_BASES until `base` is ready (at most two minutes).
    private static func waitReady(_ connection: LoradConnection, base: String) throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(120))
        while true {
            guard let info = try connection.listBases().first(where: { $0.name == base }) else {
                throw SoakFailure("lorad has no base called \(base)")
            }
            switch info.state {
            case .ready: return
            case .failed: throw SoakFailure("base \(base) failed to load")
            case .configured, .loading: break
            }
            guard clock.now < deadline else { throw SoakFailure("base \(base) was not ready within 120 s") }
            usleep(100_000)
        }
    }

    /// MERGE of `set` over `base` into a memfd, mapped.
    private static func mergeOutput(_ connection: LoradConnection, base: String, set: SoakSet) throws -> MappedRegion {
        let output = try Memfd.create(name: "lorad-soak-merge")
        defer { try? output.close() }
        _ = try connection.merge(base: base, adapters: set.weightedAdapters, into: output)
        return try MappedRegion(fileDescriptor: output)
    }

    /// EXPORT of `adapter` into a memfd, mapped.
    private static func exportOutput(_ connection: LoradConnection, adapter: String) throws -> MappedRegion {
        let output = try Memfd.create(name: "lorad-soak-export")
        defer { try? output.close() }
        _ = try connection.exportAdapter(AdapterRef(name: adapter), into: output)
        return try MappedRegion(fileDescriptor: output)
    }
}
