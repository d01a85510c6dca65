import Glibc
import LoradNotation
import LoradSystem
import LoradWire

/// Why EXPORT or MERGE could not write to the client's descriptor.
public enum OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The descriptor is not open for writing (EBADF, EINVAL, EISDIR).
    case notWritable(SystemError)
    /// The pipe's reader went away (EPIPE).
    case readerClosed
    /// The file system is full (ENOSPC, EDQUOT, EFBIG).
    case full(SystemError)
    /// Any other write failure.
    case failed(SystemError)
    /// The client took no byte of its output for the stall timeout
    /// (`limits.output_stall_timeout`); `bytesWritten` it did take before.
    case stalled(timeout: Duration, bytesWritten: Int)
    /// The output is a file on a file system whose writes can wait for a server without
    /// bound (FUSE, NFS...), named.
    case unboundedFileSystem(String)
    /// The output is a kind of file lorad does not write (a block device...), as a noun
    /// phrase.
    case unsupportedKind(String)

    /// The error for a failed write.
    init(writing error: SystemError) {
        switch error.errno {
        case EBADF, EINVAL, EISDIR: self = .notWritable(error)
        case EPIPE: self = .readerClosed
        case ENOSPC, EDQUOT, EFBIG: self = .full(error)
        default: self = .failed(error)
        }
    }
}

extension OutputError: WireReportable {
    /// `invalid_argument` (the client's descriptor is at fault), `output_stalled`,
    /// `resource_exhausted` or `internal`.
    public var wireCode: ErrorCode {
        switch self {
        case .notWritable, .readerClosed, .unboundedFileSystem, .unsupportedKind: .invalidArgument
        case .stalled: .outputStalled
        case .full: .resourceExhausted
        case .failed: .internal
        }
    }

    /// One line: what failed and what to do.
    public var description: String {
        switch self {
        case .notWritable(let error):
            "the output descriptor is not writable (\(error)); pass a file or pipe opened for writing"
        case .readerClosed:
            "the output pipe's reader closed before the data was written"
        case .full(let error):
            "the output file system is full (\(error)); free space and retry"
        case .failed(let error):
            "writing the output failed: \(error)"
        case .stalled(let timeout, let written):
            "the output stalled: the client took no byte for \(DurationSyntax.format(timeout)) after \(written) bytes "
                + "(limits.output_stall_timeout); read the pipe or socket while the request runs, or write to a file"
        case .unboundedFileSystem(let type):
            "the output is a file on a \(type) file system, where a write can wait for its server without bound; "
                + "write to a local file system, or pass a pipe and copy what comes out of it (loractl does)"
        case .unsupportedKind(let kind):
            "the output descriptor is \(kind); pass a regular file, a pipe or a socket opened for writing"
        }
    }
}
