import LoradWire

/// The frame decoder and every payload decoder, both directions.
///
/// The input is a byte stream as a peer would send it. The target feeds it to a
/// `FrameDecoder` the way the socket code does: each frame's descriptors (fake numbers; the
/// decoder never closes or uses them) arrive with its first byte, as many as its header
/// announces, and each frame is split into two reads. Every frame the decoder returns is
/// decoded as a `ClientMessage` and as a `ServerMessage`; whatever decodes must re-encode
/// with the same descriptors, and the re-encoding must decode and encode to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let stream = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = FrameDecoder()
    var offset = 0
    var nextFD: Int32 = 1000
    while offset < stream.count {
        // Where the next frame ends, by its header; a short or oversized tail is fed whole.
        var end = stream.count
        var fdCount = 0
        if stream.count - offset >= FrameHeader.size {
            let length = Int(readLE32(stream, offset))
            fdCount = min(Int(stream[offset + 8]) | Int(stream[offset + 9]) << 8, 300)
            end = min(stream.count, offset + FrameHeader.size + length)
        }
        let fds = (0..<fdCount).map { _ in nextFD &+= 1; return nextFD }
        let split = offset + (end - offset) / 2
        decoder.feed(stream[offset..<split], fds: fds)
        if !drain(&decoder) { return 0 }
        decoder.feed(stream[split..<end])
        if !drain(&decoder) { return 0 }
        offset = end
    }
    _ = decoder.takeUndeliveredFDs()
    return 0
}

private func readLE32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
}

/// Takes every complete frame; false once the decoder has failed (its errors are sticky).
private func drain(_ decoder: inout FrameDecoder<Int32>) -> Bool {
    while true {
        let frame: Frame?
        do { frame = try decoder.nextFrame() } catch { return false }
        guard let frame else { return true }
        check(ClientMessage.self, frame)
        check(ServerMessage.self, frame)
    }
}

private func check<M: WireMessage>(_ type: M.Type, _ frame: Frame) {
    guard let message = try? M(decoding: frame) else { return }
    let id = frame.header.requestID
    let once: EncodedFrame
    do { once = try message.encode(requestID: id, limits: .default) } catch {
        fatalError("decoded \(message) but could not re-encode it: \(error)")
    }
    guard Set(once.fds) == Set(frame.fds) else {
        fatalError("re-encoding \(message) carries descriptors \(once.fds), received \(frame.fds)")
    }
    var reader = ByteReader(once.bytes)
    guard let header = FrameHeader.read(from: &reader) else { fatalError("re-encoding of \(message) has no header") }
    let again = Frame(header: header, payload: Array(once.bytes.dropFirst(FrameHeader.size)), fds: once.fds)
    do {
        let twice = try M(decoding: again).encode(requestID: id, limits: .default)
        guard twice == once else { fatalError("\(message) re-encodes unstably") }
    } catch {
        fatalError("the re-encoding of \(message) does not decode: \(error)")
    }
}
