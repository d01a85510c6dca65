import LoradWire

/// Feeds `bytes` (with `fds` attached to the first chunk) through a `FrameDecoder` in chunks
/// of `chunkSize` bytes and returns every frame, or the first error.
func frames(
    from bytes: [UInt8], fds: [Int32] = [], chunkSize: Int = .max, limits: FrameLimits = .default
) throws(WireError) -> [Frame] {
    var decoder = FrameDecoder(limits: limits)
    var result: [Frame] = []
    var offset = 0
    var first = true
    repeat {
        let end = offset + min(chunkSize, bytes.count - offset)
        decoder.feed(bytes[offset..<end], fds: first ? fds : [])
        first = false
        offset = end
        while let frame = try decoder.nextFrame() { result.append(frame) }
    } while offset < bytes.count
    return result
}

/// Decodes exactly one frame from `bytes` in the given direction.
func decodeOne(
    _ bytes: [UInt8], fds: [Int32], client: Bool, chunkSize: Int = .max
) throws(WireError)
    -> Sample.Message
{
    let decoded = try frames(from: bytes, fds: fds, chunkSize: chunkSize)
    guard decoded.count == 1 else {
        throw WireError(.malformedFrame, "expected one frame, got \(decoded.count)")
    }
    return client ? .client(try ClientMessage(decoding: decoded[0])) : .server(try ServerMessage(decoding: decoded[0]))
}

/// Returns the error `body` throws, or `nil` when it returns.
func caught<T>(_ body: () throws(WireError) -> T) -> WireError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
