import LoradSystem

/// One base as systemd's file descriptor store passed it back after a restart: the
/// descriptors named ``FdStoreName/segment(base:)`` and ``FdStoreName/record(base:)``.
/// Either may be missing. Whoever holds the value owns the descriptors; ``adopt(name:path:)``
/// or ``close()`` consumes them.
public struct StoredBase: Sendable, Hashable {
    /// The base segment's descriptor.
    public var segment: FileDescriptor?
    /// The source record's descriptor.
    public var record: FileDescriptor?

    /// A stored base from its descriptors.
    public init(segment: FileDescriptor? = nil, record: FileDescriptor? = nil) {
        self.segment = segment
        self.record = record
    }

    /// Closes both descriptors.
    public func close() {
        OwnedDescriptors([segment, record].compactMap { $0 }).close()
    }

    /// Sorts what systemd passed (besides the listening socket) by base: entries named by
    /// ``FdStoreName`` go to their base; anything else, and a second entry of the same name,
    /// is returned as rejected with the reason (pure: no descriptor is touched).
    public static func sort(
        _ passed: [(name: String, fd: FileDescriptor)]
    ) -> (bases: [String: StoredBase], rejected: [(name: String, fd: FileDescriptor, reason: String)]) {
        var bases: [String: StoredBase] = [:]
        var rejected: [(name: String, fd: FileDescriptor, reason: String)] = []
        for (name, fd) in passed {
            guard let parsed = FdStoreName(fdName: name) else {
                rejected.append((name, fd, "a descriptor named \"\(name)\" is not one lorad stores"))
                continue
            }
            let slot: WritableKeyPath<StoredBase, FileDescriptor?> =
                switch parsed {
                case .segment: \.segment
                case .record: \.record
                }
            var entry = bases[parsed.base] ?? StoredBase()
            guard entry[keyPath: slot] == nil else {
                rejected.append((name, fd, "a second descriptor named \(name)"))
                continue
            }
            entry[keyPath: slot] = fd
            bases[parsed.base] = entry
        }
        return (bases, rejected)
    }
}
