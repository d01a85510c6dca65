/// A descriptor with exactly one owner, closed exactly once: by ``close()`` (which reports
/// the error) or, when the owner lets it go without closing, by `deinit` (which cannot
/// report one; `close(2)` frees the number even when it fails). ``release()`` hands the
/// descriptor on to another owner without closing it.
///
/// Noncopyable: it cannot be duplicated by accident, and the compiler refuses a use after
/// ``close()`` or ``release()``. To cross a queue, put it in a `Mutex<OwnedFileDescriptor?>`
/// or hold several in an ``OwnedDescriptors``.
public struct OwnedFileDescriptor: ~Copyable, Sendable {
    /// The descriptor, for calls that borrow it. Do not close it.
    public let descriptor: FileDescriptor

    /// Takes ownership of `descriptor`.
    public init(_ descriptor: FileDescriptor) {
        self.descriptor = descriptor
    }

    /// Closes the descriptor.
    /// - Throws: ``SystemError`` from `close` (the number is freed all the same).
    public consuming func close() throws(SystemError) {
        let descriptor = self.descriptor
        discard self
        try descriptor.close()
    }

    /// Gives up ownership without closing: the caller owns the returned descriptor.
    public consuming func release() -> FileDescriptor {
        let descriptor = self.descriptor
        discard self
        return descriptor
    }

    deinit {
        try? descriptor.close()
    }
}
