import LoradWire

/// What ``ConnectionState`` asks the I/O layer to do, in order.
///
/// Descriptors are plain numbers (as in `LoradWire`): the state machine never opens or closes
/// anything, so it can be tested without sockets.
public enum ConnectionAction: Sendable, Equatable {
    /// Queue this frame for sending; its descriptors go with its first byte. Frames the state
    /// machine makes itself (HELLO_REPLY, ERROR, FATAL, SHUTTING_DOWN) carry none.
    case send(EncodedFrame)
    /// Hand a decoded request to the handler. `fds` arrived with the frame and belong to the
    /// handler from now on. Exactly one completion must follow (``ConnectionState/complete(requestID:message:)``).
    case dispatch(ClientMessage, requestID: UInt32, fds: [Int32])
    /// Close these received descriptors: the frame that brought them was rejected, or the
    /// connection is ending with them still queued.
    case closeDescriptors([Int32])
    /// Stop reading and close the connection, after sending what is queued when
    /// ``ConnectionCloseReason/flushesFirst`` says so.
    case close(ConnectionCloseReason)
}
