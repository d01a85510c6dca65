import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import LoradSystem
import Synchronization

/// Writes an EXPORT or MERGE output through a pipe of loractl's own when lorad would refuse
/// the target itself: a file on a file system whose writes can wait for a server without
/// bound (FUSE, NFS...: ``FileSystemType``), or a block device. lorad writes into the pipe
/// under its stall timeout while a thread here copies the pipe into the target, so
/// `loractl merge --output ~/merged.safetensors` works on an NFS home folder as on a local
/// disk.
enum OutputRelay {
    /// Whether lorad would refuse `target` for its kind (so loractl relays it).
    static func isNeeded(for target: FileDescriptor) -> Bool {
        guard let status = try? target.status() else { return false }
        switch status.mode & UInt32(S_IFMT) {
        case UInt32(S_IFREG): return (try? target.fileSystemType())?.writesMayWaitWithoutBound ?? false
        case UInt32(S_IFBLK): return true
        default: return false
        }
    }

    /// Runs `body` with `target`, or, when ``isNeeded(for:)``, with the write end of a pipe
    /// that a thread copies into `target` until lorad and `body` are done with it; returns
    /// once everything is copied.
    /// - Throws: what `body` throws, else the copy's ``SystemError``.
    static func write<T>(to target: FileDescriptor, _ body: (FileDescriptor) throws -> T) throws -> T {
        guard isNeeded(for: target) else { return try body(target) }
        return try relay(into: target, body)
    }

    /// Runs `body` with the write end of a new pipe while a thread copies the pipe into
    /// `target`; once `body` returns (or throws), closes that end and waits for the copy to
    /// reach the end of the pipe (every other writer, such as lorad, must have closed its
    /// copy by then).
    /// - Throws: what `body` throws, else the copy's ``SystemError``.
    static func relay<T>(into target: FileDescriptor, _ body: (FileDescriptor) throws -> T) throws -> T {
        let (readEnd, writeEnd) = try FileDescriptor.pipe()
        let failure = Mutex<SystemError?>(nil)
        let copied = DispatchSemaphore(value: 0)
        // A queue of its own (a thread of its own): the copy blocks in read and write.
        DispatchQueue(label: "loractl.output-relay").async {
            defer { copied.signal() }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            do throws(SystemError) {
                while true {
                    let count = try readEnd.read(into: buffer)
                    if count == 0 { return }
                    try target.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        // lorad closes its copy of the write end before it replies; closing ours then ends
        // the copy (end of file), also when `body` throws.
        let outcome = Result { try body(writeEnd) }
        try? writeEnd.close()
        copied.wait()
        try? readEnd.close()
        let result = try outcome.get()
        if let error = failure.withLock({ $0 }) { throw error }
        return result
    }
}
