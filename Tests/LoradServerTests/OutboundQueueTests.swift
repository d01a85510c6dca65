import LoradServer
import LoradServerTestSupport
import LoradWire
import Testing

@Suite struct OutboundQueueTests {
    func frame(_ bytes: [UInt8], fds: [Int32] = []) -> OutboundFrame {
        OutboundFrame(EncodedFrame(bytes: bytes, fds: fds))
    }

    /// Drains `queue` with writes of at most `step` bytes; returns (bytes, fds) per write.
    func drain(_ queue: inout OutboundQueue, step: Int, maxBytes: Int = 1 << 20) -> [(bytes: [UInt8], fds: [Int32])] {
        var writes: [(bytes: [UInt8], fds: [Int32])] = []
        while let next = queue.nextWrite(maxBytes: maxBytes) {
            let available = Array(next.bytes[next.offset...])
            let sent = Array(available.prefix(step))
            writes.append((sent, next.fds))
            _ = queue.consume(sent.count)
        }
        return writes
    }

    @Test func shortWritesCarryTheDescriptorsOnlyOnce() {
        var queue = OutboundQueue()
        #expect(queue.append(frame(Array(0..<10), fds: [5, 6])) == nil)
        let writes = drain(&queue, step: 3)
        #expect(writes.map(\.bytes) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
        #expect(writes.map(\.fds) == [[5, 6], [], [], []])
        #expect(queue.isEmpty)
        #expect(queue.queuedBytes == 0)
    }

    @Test func framesWithoutDescriptorsAreGatheredBehindTheHead() {
        var queue = OutboundQueue()
        _ = queue.append(frame([1, 1], fds: [7]))
        _ = queue.append(frame([2, 2]))
        _ = queue.append(frame([3, 3]))
        _ = queue.append(frame([4, 4], fds: [8]))
        _ = queue.append(frame([5, 5]))
        #expect(queue.queuedBytes == 10)
        let writes = drain(&queue, step: 100)
        #expect(writes.map(\.bytes) == [[1, 1, 2, 2, 3, 3], [4, 4, 5, 5]])
        #expect(writes.map(\.fds) == [[7], [8]])
    }

    @Test func gatheringStopsAtMaxBytes() {
        var queue = OutboundQueue()
        for value in 1...4 { _ = queue.append(frame([UInt8](repeating: UInt8(value), count: 3))) }
        let writes = drain(&queue, step: 100, maxBytes: 7)
        #expect(writes.map(\.bytes.count) == [6, 6])
    }

    @Test func consumeReturnsEveryFinishedFrameInOrder() {
        var queue = OutboundQueue()
        _ = queue.append(frame([1, 1, 1]))
        _ = queue.append(frame([2, 2]))
        _ = queue.append(frame([3, 3, 3]))
        _ = queue.nextWrite(maxBytes: 100)
        #expect(queue.consume(2).isEmpty)
        #expect(queue.consume(4).map(\.frame.bytes) == [[1, 1, 1], [2, 2]])
        #expect(queue.count == 1)
        #expect(queue.queuedBytes == 2)
        let next = queue.nextWrite(maxBytes: 100)
        #expect(next.map { Array($0.bytes[$0.offset...]) } == [3, 3])
        #expect(next?.fds == [])
        #expect(queue.consume(2).map(\.frame.bytes) == [[3, 3, 3]])
        #expect(queue.nextWrite(maxBytes: 100) == nil)
    }

    @Test func aWriteAfterAPartialHeadResumesWithoutDescriptorsAndStillGathers() {
        var queue = OutboundQueue()
        _ = queue.append(frame([1, 2, 3, 4], fds: [9]))
        _ = queue.append(frame([5, 6]))
        _ = queue.nextWrite(maxBytes: 100)
        _ = queue.consume(1)
        let next = queue.nextWrite(maxBytes: 100)
        #expect(next.map { Array($0.bytes[$0.offset...]) } == [2, 3, 4, 5, 6])
        #expect(next?.fds == [])
    }

    @Test func emptyFramesAreNeverQueued() {
        var queue = OutboundQueue()
        let rejected = queue.append(frame([], fds: [4]))
        #expect(rejected?.frame.fds == [4])
        #expect(queue.isEmpty)
    }

    @Test func removeAllReturnsUnfinishedFrames() {
        var queue = OutboundQueue()
        _ = queue.append(frame([1, 2]))
        _ = queue.append(frame([3]))
        _ = queue.nextWrite(maxBytes: 100)
        _ = queue.consume(1)
        #expect(queue.removeAll().map(\.frame.bytes) == [[1, 2], [3]])
        #expect(queue.isEmpty)
        #expect(queue.queuedBytes == 0)
    }

    @Test func manyFramesKeepOrderThroughCompaction() {
        var queue = OutboundQueue()
        var expected: [UInt8] = []
        var received: [UInt8] = []
        for round in 0..<50 {
            for value in 0..<7 {
                let byte = UInt8(truncatingIfNeeded: round * 7 + value)
                expected.append(byte)
                _ = queue.append(frame([byte], fds: value == 3 ? [1] : []))
            }
            for _ in 0..<5 {
                guard let next = queue.nextWrite(maxBytes: 2) else { break }
                let sent = Array(next.bytes[next.offset...])
                received += sent
                _ = queue.consume(sent.count)
            }
        }
        received += drain(&queue, step: 1).flatMap(\.bytes)
        #expect(received == expected)
    }

    @Test func consumeHandsFinishedFramesToTheCallerInOrder() {
        var queue = OutboundQueue()
        _ = queue.append(frame([1, 2]))
        _ = queue.append(frame([3, 4]))
        _ = queue.append(frame([5, 6]))
        var finished: [[UInt8]] = []
        queue.consume(3) { finished.append($0.frame.bytes) }
        #expect(finished == [[1, 2]])
        queue.consume(3) { finished.append($0.frame.bytes) }
        #expect(finished == [[1, 2], [3, 4], [5, 6]])
        #expect(queue.isEmpty)
        #expect(queue.queuedBytes == 0)
    }
}
