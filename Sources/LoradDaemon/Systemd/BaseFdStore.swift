import Logging
import LoradSystem
import LoradSystemd
import LoradWire
import Synchronization

/// lorad's use of systemd's file descriptor store (`FileDescriptorStoreMax=`), so that
/// `systemctl restart lorad` takes the base segments back instead of reading the weights
/// again.
///
/// Each resident base built from its file is stored as two entries (see ``FdStoreName``):
/// the sealed base segment, and a small sealed memfd holding its ``FdStoreRecord`` (the
/// configured path, and device, inode, size, mtime and header hash of each source file).
/// After a restart systemd passes them back with the listening socket; ``take(_:)`` hands a
/// base's entries to the loader, which checks them (``StoredBase/adopt(name:path:)``) and
/// adopts or discards them. Entries lorad cannot use are logged, removed from the store
/// (`FDSTOREREMOVE=1`) and closed.
///
/// Without `$NOTIFY_SOCKET` nothing is stored or removed. Thread-safe; stores and removals
/// must come from one thread at a time to keep their order (the core's base loader queue).
public final class BaseFdStore: Sendable {
    /// Where `FDSTORE=` messages go.
    public let notifier: SystemdNotifier
    private let logger: Logger
    private let passed: Mutex<[String: StoredBase]>

    /// A store that sends to `notifier` and holds `passed` (the descriptors systemd passed
    /// besides the listening socket; ownership moves here). Entries lorad did not make are
    /// logged, removed from the store and closed at once.
    public init(notifier: SystemdNotifier, logger: Logger, passed: [(name: String, fd: FileDescriptor)] = []) {
        self.notifier = notifier
        self.logger = logger
        let sorted = StoredBase.sort(passed)
        self.passed = Mutex(sorted.bases)
        for (name, _, reason) in sorted.rejected {
            logger.warning("fd store: discarding a passed descriptor: \(reason)", metadata: ["fd_name": "\(name)"])
            if !name.isEmpty { notifier.notify(.fdStoreRemove(name: name)) }
        }
        OwnedDescriptors(sorted.rejected.map(\.fd)).close()
    }

    /// True when stores are sent (under systemd, `$NOTIFY_SOCKET` set).
    public var isEnabled: Bool { notifier.isEnabled }

    /// The names of the stored bases not yet taken.
    public var pendingNames: [String] { passed.withLock { $0.keys.sorted() } }

    /// The stored entries of base `name`, removed from the pending ones; nil when none
    /// were passed.
    func take(_ name: String) -> StoredBase? {
        passed.withLock { $0.removeValue(forKey: name) }
    }

    /// Discards every stored base whose name is not in `configured` (a base removed from the
    /// configuration while lorad was down): logs it, removes it from the store and closes it.
    public func discard(unconfigured configured: Set<String>) {
        let stale = passed.withLock { pending in
            let names = pending.keys.filter { !configured.contains($0) }
            return names.sorted().compactMap { name in pending.removeValue(forKey: name).map { (name, $0) } }
        }
        for (name, stored) in stale {
            logger.notice("fd store: base \(name) is no longer configured; dropping its stored segment", metadata: ["base": "\(name)"])
            remove(base: name)
            stored.close()
        }
    }

    /// Logs that base `name` was adopted from the store.
    func adopted(_ name: String, bytes: Int) {
        logger.info("base \(name) taken from the fd store", metadata: ["base": "\(name)", "origin": "\(BaseOrigin.fdStore.name)", "bytes": "\(bytes)"])
    }

    /// Logs why base `name`'s stored entries were not adopted and removes them from the store
    /// (the caller closed them and loads the base from its file).
    func rejected(_ name: String, _ rejection: any Error) {
        logger.warning("base \(name) in the fd store was not adopted: \(rejection)", metadata: ["base": "\(name)"])
        remove(base: name)
    }

    /// Stores `base` (built from the files `sources` describe, configured at `path`): its
    /// segment and its record, replacing whatever was stored under its names. Failures are
    /// logged; the base stays resident either way.
    func store(_ base: ResidentBase, path: String, sources: [SourceFileIdentity]) {
        guard isEnabled else { return }
        let name = base.name
        do {
            let segment = base.segment
            let digest = try SafetensorsHeaderDigest.sha256(of: segment.fd, fileSize: segment.byteSize, name: "segment \(name)")
            let record = FdStoreRecord(
                base: name, path: path, segmentSize: UInt64(segment.byteSize), segmentHeaderSHA256: digest, files: sources)
            let bytes = record.encoded()
            // Closed when `recordFile` goes: systemd keeps its own duplicate.
            let recordFile = OwnedFileDescriptor(try SegmentBuilder.sealedMemfd(name: "lorad-record-\(name)", byteSize: bytes.count) { fd in
                try bytes.withUnsafeBytes { raw in try fd.write(toAbsoluteOffset: 0, raw) }
            })
            remove(base: name)
            try withExtendedLifetime(segment) {
                _ = try notifier.send([.fdStore(name: FdStoreName.segment(base: name).fdName)], fds: [segment.fd])
            }
            do {
                _ = try notifier.send([.fdStore(name: FdStoreName.record(base: name).fdName)], fds: [recordFile.descriptor])
            } catch {
                remove(base: name)
                throw error
            }
            logger.info("base \(name) kept in the fd store", metadata: ["base": "\(name)"])
        } catch {
            logger.warning("base \(name) could not be kept in the fd store (a restart will load it from its file): \(error)", metadata: ["base": "\(name)"])
        }
    }

    /// Removes base `name`'s entries (segment and record) from the store.
    func remove(base name: String) {
        guard isEnabled else { return }
        notifier.notify(.fdStoreRemove(name: FdStoreName.segment(base: name).fdName))
        notifier.notify(.fdStoreRemove(name: FdStoreName.record(base: name).fdName))
    }
}
