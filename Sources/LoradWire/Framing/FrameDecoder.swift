/// Reassembles frames from a byte stream and the descriptors received with it.
///
/// Feed each `recvmsg` result whole — its bytes and the descriptors from its SCM_RIGHTS
/// control message — with `feed(_:fds:)`, then call `nextFrame()` until it returns `nil`.
///
/// Descriptor accounting (PROTOCOL.md, "Passing descriptors"): a sender attaches a frame's
/// descriptors to the `sendmsg` that carries the frame's first byte, so they arrive with it.
/// The decoder queues received descriptors and gives each frame, in order, as many as its
/// header announces. Whenever it runs out of complete frames it checks that the queue holds
/// exactly the descriptors of the partial frame (none when no frame has begun, `fd_count`
/// once the header is complete); any difference is a fatal `fd_count_mismatch`. A header
/// whose length is over `limits` fails with `frame_too_large` as soon as the header is
/// complete, before any of the payload is waited for.
///
/// Errors are sticky: after the first one every `nextFrame()` throws it again. The decoder
/// never closes descriptors itself. `Descriptor` is how the receiver holds them: plain
/// numbers (`FrameDecoder()` makes a `FrameDecoder<Int32>`), which the caller must close after
/// an error or when the connection ends (take them with `takeUndeliveredFDs()`), or owning
/// objects (the server's), so that every descriptor fed has exactly one owner at a time: the
/// decoder's queue, then the frame that carries it, and whatever is left goes with the
/// decoder or with `takeUndeliveredFDs()`.
public struct FrameDecoder<Descriptor: FrameDescriptor>: Sendable {
    /// The limits frames are checked against. Start with `FrameLimits.default`; after HELLO
    /// set the announced ones. Applies from the next header on.
    public var limits: FrameLimits

    // Internal and inlinable (like the methods): the decoder is generic, and unspecialised
    // generic code across modules would cost every frame.
    @usableFromInline var buffer: [UInt8] = []
    @usableFromInline var readIndex = 0
    @usableFromInline var queuedFDs: [Descriptor] = []
    @usableFromInline var pendingHeader: FrameHeader?
    @usableFromInline var failure: WireError?

    /// Creates an empty decoder checking frames against `limits`, queueing descriptors as
    /// `Descriptor`s.
    @inlinable public init(limits: FrameLimits = .default) {
        self.limits = limits
    }

    /// The number of received bytes not yet returned in a frame.
    @inlinable public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether no partial frame is pending (a clean place for the peer to close).
    @inlinable public var isAtFrameBoundary: Bool { bufferedByteCount == 0 && pendingHeader == nil }

    /// The error that stopped the decoder, if any.
    @inlinable public var error: WireError? { failure }

    /// Appends one `recvmsg` result: `bytes` in order, and `fds`, the descriptors from its
    /// control message in the order the kernel delivered them. Descriptors are queued even
    /// after a failure, so that `takeUndeliveredFDs()` returns them for closing.
    @inlinable public mutating func feed(_ bytes: some Collection<UInt8>, fds: [Descriptor] = []) {
        queuedFDs.append(contentsOf: fds)
        guard failure == nil else { return }
        if readIndex > 0, readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        // One copy for contiguous bytes (a receive buffer, an array): the element-wise append
        // would cost every frame.
        let copied: Void? = bytes.withContiguousStorageIfAvailable { buffer.append(contentsOf: $0) }
        if copied == nil { buffer.append(contentsOf: bytes) }
    }

    /// Returns the next complete frame, `nil` when more bytes are needed, or throws the fatal
    /// error that makes the stream unusable (`malformed_frame`, `frame_too_large`,
    /// `fd_count_mismatch`). The returned frame owns its descriptors.
    @inlinable public mutating func nextFrame() throws(WireError) -> ReceivedFrame<Descriptor>? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    /// Removes and returns every descriptor received but not yet handed out in a frame. The
    /// caller closes them (after an error, or when the connection ends mid-frame); owning
    /// descriptors close when the caller lets them go.
    @inlinable public mutating func takeUndeliveredFDs() -> [Descriptor] {
        defer { queuedFDs.removeAll() }
        return queuedFDs
    }

    @inlinable mutating func step() throws(WireError) -> ReceivedFrame<Descriptor>? {
        let header: FrameHeader
        if let pendingHeader {
            header = pendingHeader
        } else {
            var reader = ByteReader(buffer)
            reader.moveReaderIndex(forwardBy: readIndex)
            guard let parsed = FrameHeader.read(from: &reader) else {
                try checkQueueWhileIdle()
                return nil
            }
            try parsed.validate(limits: limits)
            guard queuedFDs.count >= Int(parsed.fdCount) else {
                throw WireError(
                    .fdCountMismatch,
                    "\(frameName(parsed)) announces \(parsed.fdCount) descriptors but \(queuedFDs.count) arrived with it; attach a frame's descriptors to the sendmsg carrying its first byte"
                )
            }
            readIndex += FrameHeader.size
            pendingHeader = parsed
            header = parsed
        }
        let length = Int(header.payloadLength)
        guard bufferedByteCount >= length else {
            guard queuedFDs.count == Int(header.fdCount) else {
                throw WireError(
                    .fdCountMismatch,
                    "\(frameName(header)) announces \(header.fdCount) descriptors but \(queuedFDs.count) arrived with it"
                )
            }
            return nil
        }
        let payload = Array(buffer[readIndex..<readIndex + length])
        readIndex += length
        let fds = Array(queuedFDs.prefix(Int(header.fdCount)))
        queuedFDs.removeFirst(fds.count)
        pendingHeader = nil
        compact()
        return ReceivedFrame(header: header, payload: payload, fds: fds)
    }

    /// Between frames: no descriptors may wait unless a frame has begun (its header partly
    /// received), and then at most one frame's worth.
    @inlinable func checkQueueWhileIdle() throws(WireError) {
        if bufferedByteCount == 0, !queuedFDs.isEmpty {
            throw WireError(
                .fdCountMismatch,
                "\(queuedFDs.count) descriptors arrived that no frame announces; send descriptors only with the frame that names them"
            )
        }
        if queuedFDs.count > Int(limits.maxFDsPerFrame) {
            throw WireError(
                .fdCountMismatch,
                "\(queuedFDs.count) descriptors arrived with one frame; the announced limit is \(limits.maxFDsPerFrame)"
            )
        }
    }

    @inlinable mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= 65536, readIndex * 2 >= buffer.count {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }

    @inlinable func frameName(_ header: FrameHeader) -> String {
        let name = Opcode(rawValue: header.opcode)?.description ?? "opcode 0x\(String(header.opcode, radix: 16))"
        return "frame \(name) (request \(header.requestID))"
    }
}

extension FrameDecoder where Descriptor == Int32 {
    /// Creates an empty decoder checking frames against `limits` whose descriptors are plain
    /// numbers, owned by the caller (so that `FrameDecoder()` needs no type argument).
    @inlinable public init(limits: FrameLimits = .default) {
        self.limits = limits
    }
}
