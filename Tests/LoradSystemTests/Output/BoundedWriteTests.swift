import Dispatch
import Glibc
import Synchronization
import Testing

@testable import LoradSystem

/// The pieces lorad writes a client's output with: one-shot writes, waiting for room, the
/// interrupting signal, file system types.
@Suite struct BoundedWriteTests {
    @Test func fileSystemTypesWhoseWritesWaitForAServerAreKnown() throws {
        #expect(FileSystemType(magic: 0x6573_5546).writesMayWaitWithoutBound)
        #expect(FileSystemType(magic: 0x6573_5546).description == "FUSE")
        #expect(FileSystemType(magic: 0x6969).description == "NFS")
        let tmpfs = FileSystemType(magic: 0x0102_1994)
        #expect(!tmpfs.writesMayWaitWithoutBound && tmpfs.description == "type 0x1021994")
        let memfd = try Memfd.create(name: "fs-type")
        defer { try? memfd.close() }
        #expect(try memfd.fileSystemType() == tmpfs)
    }

    @Test func aPipeHasCloseOnExecEndsAndKnowsWhichOneWrites() throws {
        let pipe = try FileDescriptor.pipe()
        defer {
            try? pipe.read.close()
            try? pipe.write.close()
        }
        for end in [pipe.read, pipe.write] { #expect(fcntl(end.rawValue, F_GETFD) & FD_CLOEXEC != 0) }
        #expect(try pipe.write.isOpenForWriting())
        #expect(try !pipe.read.isOpenForWriting())
    }

    @Test func aFullNonBlockingPipeSaysSoInsteadOfFailing() throws {
        let pipe = try FileDescriptor.pipe()
        defer {
            try? pipe.read.close()
            try? pipe.write.close()
        }
        try pipe.write.setNonBlocking(true)
        let chunk = [UInt8](repeating: 7, count: 1 << 20)
        let first = try chunk.withUnsafeBytes { try pipe.write.writeOnce($0) }
        #expect(first == .wrote(65_536))
        #expect(try chunk.withUnsafeBytes { try pipe.write.writeOnce($0) } == .wouldBlock)
        #expect(try !pipe.write.waitUntilWritable(timeout: .milliseconds(20)))
        var sink = [UInt8](repeating: 0, count: 4096)
        #expect(try sink.withUnsafeMutableBytes { try pipe.read.read(into: $0) } == 4096)
        #expect(try pipe.write.waitUntilWritable(timeout: .seconds(5)))
    }

    /// A blocking write into a pipe nobody reads ends when another thread interrupts it:
    /// first with what it wrote (a short count), then, on a full pipe, with `.interrupted`.
    /// It runs on a Dispatch worker, whose threads block most signals.
    @Test func anInterruptEndsABlockedWriteOnADispatchThread() async throws {
        let pipe = try FileDescriptor.pipe()
        defer {
            try? pipe.read.close()
            try? pipe.write.close()
        }
        let target = Mutex<InterruptibleThread?>(nil)
        let outcomes = Mutex<[WriteAttempt]>([])
        let done = Atomic<Bool>(false)
        // A queue of its own: a thread of Dispatch's, never one the test's executor needs.
        DispatchQueue(label: "bounded-write-test").async {
            let chunk = [UInt8](repeating: 1, count: 1 << 20)
            target.withLock { $0 = try? InterruptibleThread.current() }
            for _ in 0..<2 {
                let attempt = InterruptibleThread.withInterruptsAllowed {
                    chunk.withUnsafeBytes { (try? pipe.write.writeOnce($0)) ?? .wrote(-1) }
                }
                outcomes.withLock { $0.append(attempt) }
            }
            done.store(true, ordering: .releasing)
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while !done.load(ordering: .acquiring), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            target.withLock { $0?.interrupt() }
        }
        let finished = done.load(ordering: .acquiring)
        #expect(finished)
        #expect(outcomes.withLock { $0 } == [.wrote(65_536), .interrupted])
    }

    /// A reader that goes away gives EPIPE, never SIGPIPE (which would end this process):
    /// at once, and while a write is blocked (that write returns what it wrote first).
    @Test func aGoneReaderGivesEPIPEAndNoSignal() async throws {
        let pipe = try FileDescriptor.pipe()
        defer { try? pipe.write.close() }
        let chunk = [UInt8](repeating: 2, count: 1 << 20)
        let blocked = Task.detached { () -> WriteAttempt? in
            try? chunk.withUnsafeBytes { try pipe.write.writeOnce($0) }
        }
        try await Task.sleep(for: .milliseconds(100))
        try pipe.read.close()
        #expect(await blocked.value == .wrote(65_536))
        #expect(throws: SystemError(errno: EPIPE, operation: "write")) {
            try chunk.withUnsafeBytes { _ = try pipe.write.writeOnce($0) }
        }
    }
}
