/// The frames a connection still has to write, in order, and how far the first one got.
///
/// Pure bookkeeping for non-blocking writes: ``nextWrite(maxBytes:)`` says what to pass to
/// the next `sendmsg` — the rest of the head frame, with its descriptors only while none of
/// its bytes have gone (PROTOCOL.md: descriptors travel with a frame's first byte, exactly
/// once), plus following frames without descriptors — and ``consume(_:)`` records a
/// (possibly short) write and returns the frames it finished.
public struct OutboundQueue: Sendable {
    private var frames: [OutboundFrame] = []
    private var head = 0
    private var sentOfHead = 0
    private var scratch: [UInt8] = []

    /// Bytes queued and not yet written, over all frames.
    public private(set) var queuedBytes = 0

    /// Creates an empty queue.
    public init() {}

    /// Whether nothing is waiting to be written.
    public var isEmpty: Bool { head == frames.count }

    /// The number of frames not completely written.
    public var count: Int { frames.count - head }

    /// Appends `frame`. A frame without bytes is never queued (it would have nothing to carry
    /// its descriptors): it is returned so that the caller releases it.
    public mutating func append(_ frame: OutboundFrame) -> OutboundFrame? {
        guard !frame.frame.bytes.isEmpty else { return frame }
        frames.append(frame)
        queuedBytes += frame.frame.bytes.count
        return nil
    }

    /// What the next write must send: bytes from `offset` of `bytes`, with `fds` attached.
    ///
    /// That is the unwritten rest of the head frame, with its descriptors only while none of
    /// its bytes have gone; then, copied behind it up to `maxBytes` in all, the following
    /// frames that carry no descriptors (a frame with descriptors must start its own write).
    /// Gathering turns a burst of small replies into one `sendmsg`. `nil` when empty.
    public mutating func nextWrite(maxBytes: Int) -> (bytes: [UInt8], offset: Int, fds: [Int32])? {
        guard head < frames.count else { return nil }
        let first = frames[head].frame
        let fds = sentOfHead == 0 ? first.fds : []
        var total = first.bytes.count - sentOfHead
        var end = head + 1
        while end < frames.count, frames[end].frame.fds.isEmpty, total + frames[end].frame.bytes.count <= maxBytes {
            total += frames[end].frame.bytes.count
            end += 1
        }
        guard end > head + 1 else { return (first.bytes, sentOfHead, fds) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: first.bytes[sentOfHead...])
        for index in (head + 1)..<end { scratch.append(contentsOf: frames[index].frame.bytes) }
        return (scratch, 0, fds)
    }

    /// Records that the last write sent `count` bytes (at most what ``nextWrite(maxBytes:)``
    /// offered) and returns the frames now completely written, for the caller to release.
    public mutating func consume(_ count: Int) -> [OutboundFrame] {
        var done: [OutboundFrame] = []
        consume(count) { done.append($0) }
        return done
    }

    /// Records that the last write sent `count` bytes, like ``consume(_:)``, and passes each
    /// frame now completely written to `finished`, in order (no array per write).
    public mutating func consume(_ count: Int, finished: (OutboundFrame) -> Void) {
        var left = count
        while left > 0, head < frames.count {
            let remaining = frames[head].frame.bytes.count - sentOfHead
            let taken = min(left, remaining)
            left -= taken
            sentOfHead += taken
            queuedBytes -= taken
            guard taken == remaining else { break }
            finished(frames[head])
            head += 1
            sentOfHead = 0
        }
        if head == frames.count {
            frames.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= frames.count {
            frames.removeFirst(head)
            head = 0
        }
    }

    /// Empties the queue (the connection is closing) and returns the frames never completely
    /// written, which the caller releases.
    public mutating func removeAll() -> [OutboundFrame] {
        let rest = Array(frames[head...])
        frames.removeAll()
        head = 0
        sentOfHead = 0
        queuedBytes = 0
        return rest
    }
}
