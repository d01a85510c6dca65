import LoradStore
import LoradWire

extension DaemonCore {
    /// The cache figures (for tests and logs).
    public var segmentStats: SegmentCacheStats { state.withLock { $0.cache.stats } }

    // MARK: Helpers

    /// Fingerprint -> configured name of the resident bases.
    func residentBaseNames() -> [String: String] {
        state.withLock { state in
            Dictionary(state.residentBases.map { ($0.fingerprint, $0.name) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The base to show for a record: a resident base it was checked against, else the first
    /// recorded name that is a valid wire name.
    static func baseName(of record: AdapterRecord, resident: [String: String]) -> String? {
        for base in record.bases { if let name = resident[base.fingerprint] { return name } }
        return record.bases.first { WireName.isValid($0.name) }?.name
    }

    /// The bytes `summary` takes in a payload (without its record length).
    static func encodedSize(_ summary: AdapterSummary) -> Int {
        var writer = PayloadWriter(context: "LIST_ADAPTERS reply")
        do {
            try summary.encode(to: &writer)
        } catch {
            return Int.max / 2
        }
        return writer.bytes.count
    }

    /// The adapter version a verify problem is about, if any.
    static func reference(of problem: AdapterStoreProblem) -> AdapterReference? {
        switch problem {
        case .missingBlob(let reference, _), .unreadableBlob(let reference, _, _), .sizeMismatch(let reference, _, _, _),
            .damagedBlob(let reference, _, _), .invalidPack(let reference, _, _):
            reference
        case .catalog, .unreferencedBlob, .leftoverTemporary, .strayFile:
            nil
        }
    }

    /// What a verify problem is about: `name@N`, a blob digest, a path or `catalog`.
    static func subject(of problem: AdapterStoreProblem) -> String {
        if let reference = reference(of: problem) { return reference.description }
        switch problem {
        case .unreferencedBlob(let digest, _): return digest.description
        case .leftoverTemporary(let path), .strayFile(let path): return path
        case .catalog, .missingBlob, .unreadableBlob, .sizeMismatch, .damagedBlob, .invalidPack: return "catalog"
        }
    }
}
