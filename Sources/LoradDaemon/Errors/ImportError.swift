import LoradSystem
import LoradWire

/// Why an IMPORT was refused (besides the adapter's own ``AdapterError``s and the file
/// selection's checks).
public enum ImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The alpha asked for is not a finite number above 0.
    case badAlpha(Double)
    /// An adapter of this name exists and no new version was asked for.
    case alreadyExists(name: String)
    /// The adapter fits none of the bases it was checked against; `problem` is the first
    /// base's reason.
    case fitsNoBase(problem: String)
    /// No base was named and this one is still loading.
    case baseLoading(name: String)
    /// No base was named and none is loaded.
    case noBaseLoaded
    /// A passed file could not be read.
    case unreadable(file: String, error: SystemError)
    /// A passed descriptor could not be inspected.
    case notInspectable(file: String, error: SystemError)
    /// A passed descriptor is not a regular file; `kind` says what it is.
    case notRegularFile(file: String, kind: String)
    /// A passed file is larger than the import limit.
    case tooLarge(file: String, size: Int, limit: Int)
}

extension ImportError: WireReportable {
    /// `invalid_argument`, `already_exists`, `incompatible` or `not_ready`.
    public var wireCode: ErrorCode {
        switch self {
        case .badAlpha, .unreadable, .notInspectable, .notRegularFile, .tooLarge: .invalidArgument
        case .alreadyExists: .alreadyExists
        case .fitsNoBase, .noBaseLoaded: .incompatible
        case .baseLoading: .notReady
        }
    }

    /// One line: what was wrong and what to do.
    public var description: String {
        switch self {
        case .badAlpha(let alpha):
            "alpha \(alpha) must be a finite number above 0"
        case .alreadyExists(let name):
            "an adapter named \(name) exists; import it again as a new version (loractl import --new-version; the new_version flag of IMPORT) or pick another name"
        case .fitsNoBase(let problem):
            "the adapter fits no loaded base: \(problem)"
        case .baseLoading(let name):
            "base \(name) is still loading; retry once it is ready, or name the base to check against"
        case .noBaseLoaded:
            "no base is loaded to check the adapter against; configure and load its base first"
        case .unreadable(let file, let error):
            "cannot read \(file) from its descriptor (\(error)); pass a readable regular file"
        case .notInspectable(let file, let error):
            "the descriptor of \(file) cannot be inspected (\(error)); pass an open file"
        case .notRegularFile(let file, let kind):
            "the descriptor of \(file) is \(kind), not a regular file (a descriptor of the wrong kind); pass the file itself (lorad reads it with pread)"
        case .tooLarge(let file, let size, let limit):
            "\(file) is \(size) bytes, more than the \(limit)-byte import limit"
        }
    }
}
