/// An error found while framing, encoding or decoding lorad protocol messages.
///
/// Decoding errors carry the code the receiver must answer with: when `code.isFatal` it sends
/// a FATAL frame and closes the connection, otherwise (only `unknown_opcode`) it sends an
/// ERROR reply and goes on. Encoding errors (a string or list over its bound, a frame over the
/// limits) use `invalid_argument` or `frame_too_large` and mean nothing was produced.
public struct WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The protocol error code that describes the failure.
    public var code: ErrorCode
    /// A one-line English explanation: what was wrong, and where.
    public var message: String

    /// Creates an error with `code` and a one-line `message`.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `"<name>: <message>"`, e.g. `malformed_frame: SWITCH request: truncated in field weight`.
    public var description: String { "\(code.name): \(message)" }

    /// The payload of the ERROR or FATAL frame that reports this error to the peer.
    public var payload: ErrorPayload { ErrorPayload(code: code, message: message) }

    /// The error a receiver reports when `recvmsg` set MSG_CTRUNC: descriptors were lost, so
    /// the stream can no longer be trusted (fatal `fd_count_mismatch`).
    public static let controlMessageTruncated = WireError(
        .fdCountMismatch,
        "the control message was truncated (MSG_CTRUNC): more descriptors were sent than the receive buffer holds; send at most the announced max_fds_per_frame"
    )
}
