import Glibc
import LoradSystem
import LoradWire

/// A client's output descriptor (EXPORT, MERGE), written so that no worker waits on it
/// without bound.
///
/// The descriptor is the client's own open file (a pipe, a socket, a file): lorad never
/// changes its flags (`O_NONBLOCK` would change them for the client too). Before anything is
/// written, ``init(_:stallTimeout:token:)`` refuses what lorad cannot bound: a descriptor
/// open for reading only, a folder, a block device, a file on a file system whose writes can
/// wait for a server without bound (FUSE, NFS...: ``FileSystemType``). Then each `write`
/// takes at most ``chunkBytes``, blocking as usual, while an ``OutputWatchdog`` interrupts it
/// when the request is cancelled or the client has taken nothing for the stall timeout; a
/// descriptor the client made non-blocking answers `EAGAIN`, and the worker then waits in
/// `poll` under the same watchdog.
///
/// Use: ``DaemonCore/withClientOutput(_:_:_:)``, which stops the watchdog on every path.
struct ClientOutput: ~Copyable {
    /// The most bytes one `write` call is given: large enough that a pipe moves data as fast
    /// as with whole tensors, small enough that progress is seen often.
    static let chunkBytes = 1 << 20

    /// Bytes the client took so far.
    private(set) var bytesWritten = 0
    private let descriptor: FileDescriptor
    private let stallTimeout: Duration
    private let token: RequestToken
    private let watchdog: OutputWatchdog

    /// Checks `descriptor` and starts watching the calling thread.
    /// - Throws: ``OutputError`` when lorad cannot write it with a bound.
    init(_ descriptor: FileDescriptor, stallTimeout: Duration, token: RequestToken) throws(OutputError) {
        try Self.check(descriptor)
        let watchdog: OutputWatchdog
        do {
            watchdog = try OutputWatchdog(token: token, stallTimeout: stallTimeout)
        } catch {
            throw .failed(error)
        }
        self.descriptor = descriptor
        self.stallTimeout = stallTimeout
        self.token = token
        self.watchdog = watchdog
    }

    deinit { watchdog.stop() }

    /// Refuses a descriptor lorad cannot write with a bound on the wait.
    /// - Throws: ``OutputError/notWritable(_:)`` (read-only, a folder),
    ///   ``OutputError/unsupportedKind(_:)`` (a block device or another kind of file),
    ///   ``OutputError/unboundedFileSystem(_:)``.
    static func check(_ descriptor: FileDescriptor) throws(OutputError) {
        let status: FileStatus
        let writable: Bool
        do throws(SystemError) {
            status = try descriptor.status()
            writable = try descriptor.isOpenForWriting()
        } catch {
            throw OutputError(writing: error)
        }
        guard writable else {
            throw .notWritable(SystemError(errno: EBADF, operation: "write (the descriptor is open for reading only)"))
        }
        switch status.mode & UInt32(S_IFMT) {
        case UInt32(S_IFREG):
            let type: FileSystemType
            do { type = try descriptor.fileSystemType() } catch { throw OutputError(writing: error) }
            if type.writesMayWaitWithoutBound { throw .unboundedFileSystem(type.description) }
        case UInt32(S_IFIFO), UInt32(S_IFSOCK), UInt32(S_IFCHR):
            break
        case UInt32(S_IFDIR):
            throw .notWritable(SystemError(errno: EISDIR, operation: "write"))
        default:
            throw .unsupportedKind(status.kindDescription)
        }
    }

    /// Writes all of `bytes`.
    /// - Throws: ``OutputError`` (``OutputError/stalled(timeout:bytesWritten:)`` when the
    ///   client took nothing for the stall timeout), or ``WireError/cancelled`` once the
    ///   request is cancelled.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        watchdog.startWaiting()
        var offset = 0
        while offset < bytes.count {
            try token.check()
            if watchdog.isStalled { throw OutputError.stalled(timeout: stallTimeout, bytesWritten: bytesWritten) }
            let end = min(bytes.count, offset + Self.chunkBytes)
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
            let attempt: WriteAttempt
            do {
                attempt = try watchdog.guarding { () throws(SystemError) in try descriptor.writeOnce(piece) }
            } catch {
                throw OutputError(writing: error)
            }
            switch attempt {
            case .wrote(let count) where count > 0:
                offset += count
                bytesWritten += count
                watchdog.progressed()
            case .interrupted:
                continue
            case .wrote, .wouldBlock:
                // Non-blocking and full: wait for room, at most until the stall timeout.
                let remaining = watchdog.remaining
                do {
                    _ = try watchdog.guarding { () throws(SystemError) in try descriptor.waitUntilWritable(timeout: remaining) }
                } catch {
                    throw OutputError(writing: error)
                }
            }
        }
    }
}

extension DaemonCore {
    /// Runs `body` with the request's output descriptor checked and watched (see
    /// ``ClientOutput``), under the stall timeout in force now; stops watching on every path.
    /// - Throws: what the check and `body` throw.
    func withClientOutput<T>(
        _ descriptor: FileDescriptor, _ context: RequestContext, _ body: (inout ClientOutput) throws -> T
    ) throws -> T {
        var output = try ClientOutput(descriptor, stallTimeout: outputStallTimeout, token: context.token)
        return try body(&output)
    }
}
