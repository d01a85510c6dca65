import LoradStore
import LoradWire

extension DaemonCore {
    /// GC (admin): removes blobs no version references (or counts them in a dry run).
    func collectGarbage(_ request: GCRequest) throws -> GCReply {
        if request.dryRun {
            let referenced = Set(try store.list(allVersions: true).map(\.blob))
            let unreferenced = try store.blobs.list().filter { !referenced.contains($0) }
            let bytes = unreferenced.reduce(0) { $0 + ((try? store.blobs.size(of: $1)) ?? 0) }
            return GCReply(blobsRemoved: UInt32(clamping: unreferenced.count), bytesFreed: UInt64(bytes))
        }
        let result = try store.gc()
        return GCReply(blobsRemoved: UInt32(clamping: result.removedBlobs.count), bytesFreed: UInt64(result.freedBytes))
    }
}
