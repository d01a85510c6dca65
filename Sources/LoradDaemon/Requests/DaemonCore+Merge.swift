import LoradAdapters
import LoradStore
import LoradSystem
import LoradTensors
import LoradWire

extension DaemonCore {
    /// MERGE: writes the whole base with the weighted adapters fused in (every tensor in the
    /// base's dtype, the base's `__metadata__`) to the client's descriptor, sequentially, so
    /// a pipe works as well as a file. The bytes are those ``ModelMerger`` writes. The
    /// descriptor is checked before anything is computed and written under the stall timeout
    /// (``ClientOutput``).
    func merge(_ request: MergeRequest, _ context: RequestContext) throws -> MergeReply {
        try DaemonCore.validateName(request.base, field: "base")
        let descriptor = try context.descriptor(request.output, field: "output")
        return try withClientOutput(descriptor, context) { output in try merge(request, context, into: &output) }
    }

    private func merge(_ request: MergeRequest, _ context: RequestContext, into output: inout ClientOutput) throws -> MergeReply {
        let base = try state.withLock { state throws in try state.readyBase(request.base) }
        try Session.check(request.adapters.map { ($0.adapter.name, $0.weight) })
        let set = try request.adapters.map { try sessionAdapter($0.adapter, weight: $0.weight, base: base) }
        let adapters = try resolvedAdapters(set, base: base)
        try context.token.check()

        let file = base.file
        let layout = try SafetensorsLayout(
            entries: file.entries.map { SafetensorsLayout.Entry(name: $0.name, dtype: $0.dtype, shape: $0.shape) },
            metadata: file.metadata)
        try layout.headerBytes.withUnsafeBytes { try output.write($0) }
        var merged = 0
        let scratch = FuseScratch()
        var buffer: UnsafeMutableRawBufferPointer?
        defer { buffer?.deallocate() }
        for entry in layout.entries {
            try context.token.check()
            guard let tensor = file.tensor(named: entry.name) else { continue }
            let terms = TensorFusion.modules(touching: entry.name, in: adapters)
            if terms.isEmpty {
                try tensor.withUnsafeBytes { try output.write($0) }
            } else {
                if (buffer?.count ?? -1) < tensor.byteCount {
                    buffer?.deallocate()
                    buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: tensor.byteCount, alignment: 64)
                }
                guard let space = buffer else { continue }
                let destination = UnsafeMutableRawBufferPointer(rebasing: space[0..<tensor.byteCount])
                try TensorFusion.fuse(base: tensor, terms: terms, into: destination, scratch: scratch,
                                      panelWorkers: ModelMerger.defaultPanelWorkers)
                try output.write(UnsafeRawBufferPointer(destination))
                merged += 1
            }
        }
        return MergeReply(bytesWritten: UInt64(output.bytesWritten), tensorsMerged: UInt32(clamping: merged))
    }
}
