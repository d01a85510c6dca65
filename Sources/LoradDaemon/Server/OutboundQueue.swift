/// The frames a connection still has to write, in order, and how far the first one got.
///
/// Pure bookkeeping for non-blocking writes: ``pendingChunk`` says what to pass to the next
/// `sendmsg` — the rest of the head frame, with its descriptors only while none of its bytes
/// have gone (PROTOCOL.md: descriptors travel with a frame's first byte, exactly once) — and
/// ``consume(_:)`` records a (possibly short) write and returns the frames it finished.
public struct OutboundQueue: Sendable {
    private var frames: [OutboundFrame] = []
    private var head = 0
    private var sentOfHead = 0

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

    /// What the next write must send: the unwritten bytes of the head frame (`offset` into its
    /// bytes) and the descriptors to attach, which are empty once part of the frame has gone.
    /// `nil` when the queue is empty.
    public var pendingChunk: (frame: OutboundFrame, offset: Int, fds: [Int32])? {
        guard head < frames.count else { return nil }
        let frame = frames[head]
        return (frame, sentOfHead, sentOfHead == 0 ? frame.frame.fds : [])
    }

    /// Records that the last write sent `count` bytes of the head frame (at most what
    /// ``pendingChunk`` offered) and returns the head frame when it is now completely written,
    /// for the caller to release.
    public mutating func consume(_ count: Int) -> OutboundFrame? {
        guard head < frames.count, count > 0 else { return nil }
        let remaining = frames[head].frame.bytes.count - sentOfHead
        let taken = min(count, remaining)
        sentOfHead += taken
        queuedBytes -= taken
        guard sentOfHead == frames[head].frame.bytes.count else { return nil }
        let done = frames[head]
        head += 1
        sentOfHead = 0
        if head == frames.count {
            frames.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= frames.count {
            frames.removeFirst(head)
            head = 0
        }
        return done
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
