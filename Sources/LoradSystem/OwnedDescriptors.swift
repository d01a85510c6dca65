import Synchronization

/// Several descriptors with one owner (an array of ``OwnedFileDescriptor`` cannot be made),
/// closed exactly once: by ``close()``, or when the last reference goes. A final class, so
/// that it can travel to another queue with the work that uses the descriptors, such as
/// the descriptors that came with one request frame.
public final class OwnedDescriptors: Sendable {
    private let open: Mutex<[FileDescriptor]?>

    /// The number of descriptors (also after ``close()``).
    public let count: Int

    /// No descriptors (shared: closing it does nothing), for the many requests that carry none.
    public static let empty = OwnedDescriptors([])

    /// Takes ownership of `descriptors`.
    public init(_ descriptors: [FileDescriptor]) {
        open = Mutex(descriptors)
        count = descriptors.count
    }

    /// The descriptors while they are open (empty after ``close()``). Borrowed: the owner
    /// closes them.
    public var descriptors: [FileDescriptor] {
        guard count > 0 else { return [] }
        return open.withLock { $0 ?? [] }
    }

    /// Closes every descriptor now; later calls (and `deinit`) do nothing. A descriptor that
    /// fails to close is freed by the kernel all the same, so failures are not reported.
    public func close() {
        guard count > 0 else { return }  // nothing to close: no lock (most requests carry none)
        guard let descriptors = open.withLock({ state -> [FileDescriptor]? in
            defer { state = nil }
            return state
        }) else { return }
        for descriptor in descriptors { try? descriptor.close() }
    }

    deinit { close() }
}
