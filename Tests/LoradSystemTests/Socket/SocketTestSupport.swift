import Glibc
import LoradSystem
import Testing

/// Runs `body` `iterations` times and expects the descriptor count not to grow
/// with it (see ``descriptorGrowth(iterations:_:)``: parallel tests add noise
/// below 50, a leak of one per iteration adds `iterations`).
func expectNoDescriptorLeak(
    iterations: Int = 100, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) rethrows {
    let growth = try descriptorGrowth(iterations: iterations, body)
    #expect(growth < 50, "descriptors grew by \(growth) over \(iterations) iterations", sourceLocation: sourceLocation)
}

/// True when the descriptor has `FD_CLOEXEC`.
func isCloseOnExec(_ fd: FileDescriptor) -> Bool {
    fcntl(fd.rawValue, F_GETFD) & FD_CLOEXEC != 0
}

/// True when the descriptor's file status has `O_NONBLOCK`.
func isNonBlocking(_ fd: FileDescriptor) -> Bool {
    fcntl(fd.rawValue, F_GETFL) & O_NONBLOCK != 0
}

/// A memfd holding `bytes`.
func memfd(containing bytes: [UInt8]) throws -> FileDescriptor {
    let fd = try Memfd.create(name: "lorad-socket-test")
    try bytes.withUnsafeBytes { try fd.write(toAbsoluteOffset: 0, $0) }
    return fd
}

/// Every byte of a file, read with `pread` from offset 0.
func allBytes(of fd: FileDescriptor) throws -> [UInt8] {
    var result = [UInt8](repeating: 0, count: try fd.size())
    try result.withUnsafeMutableBytes { try fd.readExactly(fromAbsoluteOffset: 0, into: $0) }
    return result
}

/// One `receive` into a fresh buffer of `capacity` bytes, which must complete.
func receiveOnce(
    _ socket: UnixSocket, capacity: Int = 4096, maxFDs: Int = 0
) throws -> (bytes: [UInt8], message: ReceivedMessage) {
    var buffer = [UInt8](repeating: 0, count: capacity)
    let outcome = try buffer.withUnsafeMutableBytes { try socket.receive(into: $0, maxFDs: maxFDs) }
    guard case .completed(let message) = outcome else {
        throw SystemError(errno: EAGAIN, operation: "receiveOnce (nothing to read)")
    }
    return (Array(buffer.prefix(message.byteCount)), message)
}

/// Receives exactly `count` bytes (looping), collecting every descriptor.
func receiveExactly(_ socket: UnixSocket, count: Int, maxFDs: Int = 0) throws -> (bytes: [UInt8], fds: [FileDescriptor]) {
    var bytes: [UInt8] = []
    var fds: [FileDescriptor] = []
    while bytes.count < count {
        let (chunk, message) = try receiveOnce(socket, capacity: count - bytes.count, maxFDs: maxFDs)
        if message.isEndOfStream { break }
        bytes += chunk
        fds += message.fds
    }
    return (bytes, fds)
}

/// Tries a writable shared mapping of `fd`, as a hostile client would; returns
/// 0 when the kernel allowed it (and unmaps it), else the `errno`.
func tryMapWritableShared(_ fd: FileDescriptor, length: Int) -> Int32 {
    guard let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd.rawValue, 0),
          mapped != MAP_FAILED else { return errno }
    munmap(mapped, length)
    return 0
}

/// Tries to make a read-only shared mapping of `fd` writable with `mprotect`;
/// returns 0 when the kernel allowed it, else the `errno`.
func tryUpgradeReadOnlySharedMapping(_ fd: FileDescriptor, length: Int) -> Int32 {
    guard let mapped = mmap(nil, length, PROT_READ, MAP_SHARED, fd.rawValue, 0),
          mapped != MAP_FAILED else { return errno }
    defer { munmap(mapped, length) }
    return mprotect(mapped, length, PROT_READ | PROT_WRITE) == 0 ? 0 : errno
}
