import LoradAdapters
import LoradStore
import LoradSystem
import LoradTensors
import LoradWire
import Testing

@testable import LoradDaemon

/// Adapters with NaN or infinite factors: IMPORT refuses them with `invalid_argument`
/// naming the tensor, VERIFY reports one stored before lorad refused them, and a session
/// asking for it gets `corrupt` instead of NaN weights.
@Suite struct DaemonCoreNonFiniteTests {
    /// The fixture's diffusers_plain weights with element 3 of the first tensor (in key
    /// order) set to the BF16 pattern `bits`: (its key, the file's bytes).
    static func poisonedFile(bits: UInt16) throws -> (key: String, bytes: [UInt8]) {
        let file = try SafetensorsFile(path: CoreFixtures.path("diffusers_plain/pytorch_lora_weights.safetensors"))
        let key = try #require(file.names.sorted().first)
        var tensors: [(name: String, tensor: Tensor)] = []
        for name in file.names {
            var tensor = try #require(file.tensor(named: name))
            if name == key {
                #expect(tensor.dtype == .bf16)
                var bytes = tensor.withUnsafeBytes { Array($0) }
                bytes[6] = UInt8(truncatingIfNeeded: bits)
                bytes[7] = UInt8(truncatingIfNeeded: bits >> 8)
                tensor = try Tensor(dtype: .bf16, shape: tensor.shape, bytes: bytes)
            }
            tensors.append((name, tensor))
        }
        return (key, try SafetensorsWriter.serialize(tensors: tensors, metadata: file.metadata))
    }

    @Test(arguments: [(UInt16(0x7FC0), "NaN"), (0x7F80, "+Inf"), (0xFF80, "-Inf")])
    func importRefusesNonFiniteFactorsNamingTheTensor(bits: UInt16, shown: String) async throws {
        let harness = try CoreHarness()
        try await harness.loadFixtureBase()
        let (key, bytes) = try Self.poisonedFile(bits: bits)
        let path = harness.scratchPath("poisoned.safetensors")
        try DurableFile.writeAtomically(to: path, bytes: bytes)
        let fd = try FileDescriptor.open(path, .readOnly)
        let reply = await harness.call(
            .importAdapter(ImportRequest(
                name: "poisoned", files: [ImportFile(fileName: "pytorch_lora_weights.safetensors", fd: fd.rawValue)],
                alpha: nil, base: nil, description: "", tags: [], newVersion: false)),
            fds: [fd])
        guard case .error(let payload) = reply.message else {
            Issue.record("an adapter with a \(shown) factor was imported: \(reply.message)")
            return
        }
        #expect(payload.code == .invalidArgument)
        #expect(payload.message.hasPrefix("\(key) holds \(shown) at element 3 (row 0, column 3 of "), "\(payload.message)")
        #expect(try harness.core.store.list(allVersions: true).isEmpty)
    }

    @Test func verifyReportsAStoredPackWithNonFiniteFactorsAndSessionsGetCorrupt() async throws {
        let harness = try CoreHarness()
        try await harness.loadFixtureBase()
        _ = try await harness.importFixture("diffusers_meta", as: "clean")
        // A version stored before IMPORT refused non-finite factors (modules is settable,
        // which skips the adapter's checks).
        var adapter = try AdapterParser.parse(AdapterSource.open(path: CoreFixtures.path("diffusers_plain")))
        var bytes = adapter.modules[0].down.withUnsafeBytes { Array($0) }
        bytes[6] = 0xC0
        bytes[7] = 0x7F
        adapter.modules[0].down = try Tensor(dtype: .bf16, shape: adapter.modules[0].down.shape, bytes: bytes)
        let record = NewAdapterRecord(
            name: "poisoned", rank: adapter.maxRank, alpha: nil, layout: adapter.layout.rawValue, prefix: adapter.prefix,
            targets: adapter.targetTensors, dtypes: adapter.dtypes, originalBytes: adapter.byteCount)
        _ = try harness.core.store.add(record, packBytes: try AdapterPack.encode(adapter, level: 1))

        guard case .verify(let report) = await harness.call(.verify(VerifyRequest())).message else {
            Issue.record("verify failed")
            return
        }
        #expect(report.checked == 2 && report.problemCount == 1)
        #expect(report.problems.first?.subject == "poisoned@1")
        let expected = "\(adapter.modules[0].sourceName).lora_A.weight holds NaN at element 3"
        #expect(report.problems.first?.message.contains(expected) == true, "\(report.problems)")

        let session = try await harness.call(.openSession(OpenSessionRequest(base: "tiny", mode: .fused))).session()
        let switched = await harness.call(.switchAdapters(SwitchRequest(sessionID: session.sessionID, adapters: [weighted("poisoned", 1)])))
        guard case .error(let payload) = switched.message else {
            Issue.record("a session was given the non-finite adapter: \(switched.message)")
            return
        }
        #expect(payload.code == .corrupt)
        #expect(payload.message.contains(expected), "\(payload.message)")
    }
}
