import LoradWire

/// One configured base and where it is in its life: configured (not resident), loading,
/// ready (resident) or failed.
struct BaseSlot: Sendable {
    enum Status: Sendable {
        /// Known from the configuration, not in memory (never loaded, or evicted).
        case configured
        /// Being copied into its segment: tensors done and in all (0 until known).
        case loading(done: Int, total: Int)
        /// Resident.
        case ready(ResidentBase)
        /// Loading failed with this message.
        case failed(String)
    }

    /// The configured name.
    var name: String
    /// The configured path (a file or a folder of shards).
    var path: String
    /// Its state.
    var status: Status
    /// The resident base, when ready.
    var resident: ResidentBase? {
        if case .ready(let base) = status { return base }
        return nil
    }

    /// The wire record, with ``BaseInfo/origin`` when `withOrigin` (protocol 1.1 and later).
    func info(withOrigin: Bool) -> BaseInfo {
        var info = info
        if withOrigin { info.origin = resident?.origin ?? .notResident }
        return info
    }

    /// The wire record of protocol 1.0.
    var info: BaseInfo {
        switch status {
        case .configured: BaseInfo(name: name, state: .configured, byteSize: 0, tensorCount: 0)
        case .loading(_, let total): BaseInfo(name: name, state: .loading, byteSize: 0, tensorCount: UInt32(clamping: total))
        case .ready(let base):
            BaseInfo(name: name, state: .ready, byteSize: UInt64(base.segment.byteSize), tensorCount: UInt32(clamping: base.tensorCount))
        case .failed: BaseInfo(name: name, state: .failed, byteSize: 0, tensorCount: 0)
        }
    }

    /// The resident base, or the error a request naming this base gets.
    func readyBase() throws(BaseError) -> ResidentBase {
        switch status {
        case .ready(let base):
            return base
        case .loading(let done, let total):
            throw .loading(name: name, done: done, total: total)
        case .configured:
            throw .evicted(name: name)
        case .failed(let message):
            throw .failed(name: name, message: message)
        }
    }
}
