import LoradAdapters
import LoradStore
import LoradSystem
import LoradTensors
import LoradWire

extension DaemonCore {
    /// MERGE: writes the whole base with the weighted adapters fused in (every tensor in the
    /// base's dtype, the base's `__metadata__`) to the client's descriptor, sequentially, so
    /// a pipe works as well as a file. The bytes are those ``ModelMerger`` writes.
    func merge(_ request: MergeRequest, _ context: RequestContext) throws -> MergeReply {
        try DaemonCore.validateName(request.base, field: "base")
        let output = try context.descriptor(request.output, field: "output")
        let base = try state.withLock { state throws in try state.readyBase(request.base) }
        try Session.check(request.adapters.map { ($0.adapter.name, $0.weight) })
        let set = try request.adapters.map { try sessionAdapter($0.adapter, weight: $0.weight, base: base) }
        let adapters = try resolvedAdapters(set, base: base)
        try context.token.check()

        let file = base.file
        let layout = try SafetensorsLayout(
            entries: file.entries.map { SafetensorsLayout.Entry(name: $0.name, dtype: $0.dtype, shape: $0.shape) },
            metadata: file.metadata)
        try layout.headerBytes.withUnsafeBytes { try DaemonCore.write($0, to: output) }
        var written = layout.headerBytes.count
        var merged = 0
        let scratch = FuseScratch()
        var buffer: UnsafeMutableRawBufferPointer?
        defer { buffer?.deallocate() }
        for entry in layout.entries {
            try context.token.check()
            guard let tensor = file.tensor(named: entry.name) else { continue }
            let terms = TensorFusion.modules(touching: entry.name, in: adapters)
            if terms.isEmpty {
                try tensor.withUnsafeBytes { try DaemonCore.write($0, to: output) }
            } else {
                if (buffer?.count ?? -1) < tensor.byteCount {
                    buffer?.deallocate()
                    buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: tensor.byteCount, alignment: 64)
                }
                guard let space = buffer else { continue }
                let destination = UnsafeMutableRawBufferPointer(rebasing: space[0..<tensor.byteCount])
                try TensorFusion.fuse(base: tensor, terms: terms, into: destination, scratch: scratch,
                                      panelWorkers: ModelMerger.defaultPanelWorkers)
                try DaemonCore.write(UnsafeRawBufferPointer(destination), to: output)
                merged += 1
            }
            written += tensor.byteCount
        }
        return MergeReply(bytesWritten: UInt64(written), tensorsMerged: UInt32(clamping: merged))
    }
}
