import LoradSystem
import LoradWire

/// Encodes `message` as the server would and decodes it back into a received `Frame`
/// carrying `fds` (the descriptors a real socket would have delivered).
func receivedFrame(_ message: ServerMessage, requestID: UInt32) throws -> Frame {
    let encoded = try message.encode(requestID: requestID)
    var decoder = FrameDecoder()
    decoder.feed(encoded.bytes, fds: encoded.fds)
    guard let frame = try decoder.nextFrame() else { throw TestFailure("no frame decoded") }
    return frame
}

/// A test precondition that did not hold.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A memfd holding `bytes`, sealed like a lorad segment.
func sealedSegment(_ bytes: [UInt8], name: String = "test-segment") throws -> FileDescriptor {
    let fd = try Memfd.create(name: name)
    try fd.write(bytes)
    try Memfd.addSeals(.immutable, to: fd)
    return fd
}

/// Whether `fd` is an open descriptor of this process.
func isOpen(_ fd: FileDescriptor) -> Bool {
    (try? fd.status()) != nil
}
