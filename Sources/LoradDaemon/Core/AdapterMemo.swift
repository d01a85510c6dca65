import LoradAdapters
import Synchronization

/// A small LRU of decompressed adapters keyed by pack digest, so that rebuilding an overlay
/// or a factors segment does not decompress the same pack again. Bounded by entry count and
/// by bytes (the adapters' factor bytes). Thread-safe.
final class AdapterMemo: Sendable {
    private struct State {
        var entries: [String: (adapter: LoraAdapter, bytes: Int, lastUse: UInt64)] = [:]
        var clock: UInt64 = 0
        var bytes = 0
    }

    private let state = Mutex(State())
    private let maxEntries: Int
    private let maxBytes: Int

    /// A memo keeping at most `maxEntries` adapters and `maxBytes` factor bytes (an adapter
    /// larger than `maxBytes` is not kept).
    init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(0, maxEntries)
        self.maxBytes = max(0, maxBytes)
    }

    /// The adapter stored under `digest`, if any (marks it recently used).
    func adapter(digest: String) -> LoraAdapter? {
        state.withLock { state in
            guard var entry = state.entries[digest] else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[digest] = entry
            return entry.adapter
        }
    }

    /// Keeps `adapter` under `digest`, dropping the least recently used ones to fit.
    func store(_ adapter: LoraAdapter, digest: String) {
        let size = adapter.byteCount
        guard maxEntries > 0, size <= maxBytes else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: digest) { state.bytes -= old.bytes }
            while state.entries.count >= maxEntries || state.bytes + size > maxBytes,
                let victim = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                state.bytes -= state.entries.removeValue(forKey: victim)?.bytes ?? 0
            }
            state.clock += 1
            state.entries[digest] = (adapter, size, state.clock)
            state.bytes += size
        }
    }

    /// Forgets `digest` (its adapter was removed from the store).
    func forget(digest: String) {
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: digest) { state.bytes -= old.bytes }
        }
    }
}
