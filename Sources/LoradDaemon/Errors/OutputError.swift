import Glibc
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
    /// `invalid_argument` (the client's descriptor is at fault), `resource_exhausted` or
    /// `internal`.
    public var wireCode: ErrorCode {
        switch self {
        case .notWritable, .readerClosed: .invalidArgument
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
        }
    }
}
