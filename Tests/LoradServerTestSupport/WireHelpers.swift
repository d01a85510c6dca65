import LoradServer
import LoradWire

/// A HELLO frame offering `minVersion...maxVersion`.
public func helloFrame(
    id: UInt32 = 1, minVersion: ProtocolVersion = .current, maxVersion: ProtocolVersion = .current,
    name: String = "tests/1"
) throws -> EncodedFrame {
    try ClientMessage.hello(HelloRequest(minVersion: minVersion, maxVersion: maxVersion, clientName: name))
        .encode(requestID: id)
}

/// A PING frame with `token`.
public func pingFrame(id: UInt32, token: UInt64 = 7) throws -> EncodedFrame {
    try ClientMessage.ping(PingRequest(token: token)).encode(requestID: id)
}

/// A raw frame: header fields as given, then `payload`.
public func rawFrame(
    opcode: UInt16, requestID: UInt32, payload: [UInt8] = [], fdCount: UInt16 = 0, reserved: UInt16 = 0,
    flags: UInt16 = 0, length: UInt32? = nil
) -> [UInt8] {
    var writer = ByteWriter()
    FrameHeader(
        payloadLength: length ?? UInt32(payload.count), opcode: opcode, flags: flags, fdCount: fdCount,
        reserved: reserved, requestID: requestID
    ).write(to: &writer)
    return writer.bytes + payload
}

/// A decoded server frame: the message, its request id and the descriptors it carried.
public struct SentFrame: Equatable {
    public var message: ServerMessage
    public var requestID: UInt32
    public var fds: [Int32]

    /// A frame as the tests compare it.
    public init(message: ServerMessage, requestID: UInt32, fds: [Int32]) {
        self.message = message
        self.requestID = requestID
        self.fds = fds
    }
}

/// Why ``decodeServerFrame(_:)`` refused an encoded frame. A plain error, not a test
/// expectation: this target is built by `swift build -c release` too, where the Testing
/// module is not available.
public enum FrameHelperError: Error {
    /// The bytes hold less than one whole frame.
    case incompleteFrame
    /// Bytes follow the frame.
    case bytesAfterFrame
}

/// Decodes one encoded server frame.
/// - Throws: ``FrameHelperError`` when the bytes are not exactly one frame, or the
///   decoder's error when the frame is malformed.
public func decodeServerFrame(_ frame: EncodedFrame) throws -> SentFrame {
    var decoder = FrameDecoder(limits: FrameLimits(maxFrameBytes: FrameLimits.maximumFrameBytes, maxFDsPerFrame: 253))
    decoder.feed(frame.bytes, fds: frame.fds)
    guard let decoded = try decoder.nextFrame() else { throw FrameHelperError.incompleteFrame }
    guard decoder.isAtFrameBoundary else { throw FrameHelperError.bytesAfterFrame }
    return SentFrame(
        message: try ServerMessage(decoding: decoded), requestID: decoded.header.requestID, fds: decoded.fds)
}

/// The frames among `actions`, decoded.
public func sentFrames<Descriptor>(_ actions: [ConnectionAction<Descriptor>]) throws -> [SentFrame] {
    try actions.compactMap { action -> SentFrame? in
        guard case .send(let frame) = action else { return nil }
        return try decodeServerFrame(frame)
    }
}

/// The requests dispatched among `actions`, with the numbers of their descriptors.
public func dispatched<Descriptor>(
    _ actions: [ConnectionAction<Descriptor>]
) -> [(message: ClientMessage, requestID: UInt32, fds: [Int32])] {
    actions.compactMap { action in
        guard case .dispatch(let message, let id, let fds) = action else { return nil }
        return (message, id, fds.map(\.descriptorNumber))
    }
}

/// The numbers of every descriptor `actions` asks to close.
public func closedDescriptors<Descriptor>(_ actions: [ConnectionAction<Descriptor>]) -> [Int32] {
    actions.flatMap { action -> [Int32] in
        guard case .closeDescriptors(let fds) = action else { return [] }
        return fds.map(\.descriptorNumber)
    }
}

/// The close reason among `actions`, if any.
public func closeReason<Descriptor>(_ actions: [ConnectionAction<Descriptor>]) -> ConnectionCloseReason? {
    for case .close(let reason) in actions { return reason }
    return nil
}

/// The error code of a FATAL or ERROR message.
public func errorCode(_ message: ServerMessage) -> ErrorCode? {
    switch message {
    case .fatal(let payload), .error(let payload): payload.code
    default: nil
    }
}

extension ServerMessage {
    /// The code of an ERROR or FATAL message, or `nil` for any other message.
    public var errorCodeForTests: ErrorCode? { errorCode(self) }
}
