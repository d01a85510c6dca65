/// A frame ready to send: header and payload bytes, plus the descriptors to pass with them.
///
/// Send `bytes` with `fds` attached (SCM_RIGHTS) to the `sendmsg` call that carries the first
/// byte of `bytes`; never attach them to a later piece. The payload refers to `fds` by index.
/// The descriptors are not owned by this value: the caller keeps them open until sent.
public struct EncodedFrame: Hashable, Sendable {
    /// The 16-byte header followed by the payload.
    public var bytes: [UInt8]
    /// The descriptors the payload names, in index order.
    public var fds: [Int32]

    /// Wraps already-encoded bytes and descriptors.
    public init(bytes: [UInt8], fds: [Int32]) {
        self.bytes = bytes
        self.fds = fds
    }
}
