/// What one ``UnixSocket/receive(into:maxFDs:)`` call delivered.
///
/// The caller owns every descriptor in ``fds`` (they are close-on-exec) and must
/// close each one exactly once, also when ``controlTruncated`` is true.
public struct ReceivedMessage: Sendable, Hashable {
    /// The number of bytes written to the start of the caller's buffer; 0 means
    /// the peer closed its end (end of stream), see ``isEndOfStream``.
    public var byteCount: Int
    /// The descriptors that arrived with these bytes (`SCM_RIGHTS`), in the
    /// order the peer sent them; at most the `maxFDs` the caller asked for.
    public var fds: [FileDescriptor]
    /// True when the peer sent more descriptors than `maxFDs` (or the kernel
    /// cut the control data, `MSG_CTRUNC`): the extra descriptors were closed and
    /// are lost. lorad's protocol treats this as a fatal error.
    public var controlTruncated: Bool

    /// Makes a message description (for tests and fakes).
    public init(byteCount: Int, fds: [FileDescriptor] = [], controlTruncated: Bool = false) {
        self.byteCount = byteCount
        self.fds = fds
        self.controlTruncated = controlTruncated
    }

    /// True when the peer shut down its sending side or closed the socket and
    /// every byte before that has been read.
    public var isEndOfStream: Bool { byteCount == 0 }
}
