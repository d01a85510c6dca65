import Glibc
import LoradAdapters
import LoradStore
import LoradSystem
import LoradTensors
import LoradWire

extension DaemonCore {
    /// Writes all of `bytes` to a client's descriptor.
    /// - Throws: `invalid_argument` when it is not writable or its reader went away,
    ///   `resource_exhausted` when its file system is full.
    static func write(_ bytes: UnsafeRawBufferPointer, to fd: FileDescriptor) throws(WireError) {
        do {
            try fd.write(bytes)
        } catch {
            switch error.errno {
            case EBADF, EINVAL, EISDIR:
                throw WireError(.invalidArgument, "the output descriptor is not writable (\(error)); pass a file or pipe opened for writing")
            case EPIPE:
                throw WireError(.invalidArgument, "the output pipe's reader closed before the data was written")
            case ENOSPC, EDQUOT, EFBIG:
                throw WireError(.resourceExhausted, "the output file system is full (\(error)); free space and retry")
            default:
                throw WireError(.internal, "writing the output failed: \(error)")
            }
        }
    }
}
