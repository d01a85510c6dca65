import LoradStore
import LoradWire

extension DaemonCore {
    /// VERIFY (admin): checks the store (catalog, blob hashes, every pack's checksums, and
    /// that each pack decodes to a usable adapter: metadata, shapes, finite factors).
    func verify(_ request: VerifyRequest) throws -> VerifyReply {
        var records = try store.list(allVersions: true)
        if let name = request.adapter {
            try DaemonCore.validateName(name, field: "adapter")
            _ = try store.resolve(AdapterReference(name: name))
            records = records.filter { $0.name == name }
        }
        var problems = try store.verify(packVerifier: { bytes in try AdapterPack.verify(bytes, origin: "stored pack") })
        if let name = request.adapter {
            problems = problems.filter { DaemonCore.reference(of: $0)?.name == name }
        }
        let listed = problems.prefix(WireLimits.maxVerifyProblems).map { problem in
            VerifyProblem(
                subject: WireError.fitting(DaemonCore.subject(of: problem), bytes: WireLimits.maxShortTextBytes),
                message: WireError.fitting(problem.description, bytes: WireLimits.maxMessageBytes))
        }
        return VerifyReply(
            checked: UInt32(clamping: Set(records.map(\.blob)).count), problemCount: UInt32(clamping: problems.count),
            problems: Array(listed))
    }
}
