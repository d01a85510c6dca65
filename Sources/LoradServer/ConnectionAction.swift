import LoradWire

/// What ``ConnectionState`` asks the I/O layer to do, in order.
///
/// `Descriptor` is how the connection holds received descriptors: the server's
/// ``ReceivedDescriptor``s, which own them, or plain numbers in tests. The state machine
/// never opens or closes anything: each received descriptor leaves it in exactly one
/// `dispatch` or `closeDescriptors` action (or in ``ConnectionState/abandon()``'s result).
public enum ConnectionAction<Descriptor: FrameDescriptor>: Sendable {
    /// Queue this frame for sending; its descriptors go with its first byte. Frames the state
    /// machine makes itself (HELLO_REPLY, ERROR, FATAL, SHUTTING_DOWN) carry none.
    case send(EncodedFrame)
    /// Hand a decoded request to the handler. `fds` arrived with the frame (the message's
    /// `fd` fields hold their numbers) and belong to the handler from now on. Exactly one
    /// completion must follow (``ConnectionState/complete(requestID:message:holding:)``).
    case dispatch(ClientMessage, requestID: UInt32, fds: [Descriptor])
    /// Close these received descriptors: the frame that brought them was rejected, or the
    /// connection is ending with them still queued.
    case closeDescriptors([Descriptor])
    /// Stop reading and close the connection, after sending what is queued when
    /// ``ConnectionCloseReason/flushesFirst`` says so.
    case close(ConnectionCloseReason)
}

extension ConnectionAction: Equatable where Descriptor: Equatable {}
