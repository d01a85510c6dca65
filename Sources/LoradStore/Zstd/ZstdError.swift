import CZstd

/// A failure reported by libzstd, or a frame that does not match what the caller expected.
///
/// `description` is one line: what went wrong, with libzstd's own error name when there
/// is one (from `ZSTD_getErrorName`).
public struct ZstdError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of failure this is.
    public enum Kind: Sendable, Hashable {
        /// libzstd returned an error code; `code` is the `ZSTD_ErrorCode` value.
        case library(code: Int)
        /// The frame is well formed but does not match the caller's expectations
        /// (wrong declared size, missing size, trailing bytes).
        case unexpectedFrame
        /// libzstd could not allocate a context.
        case outOfMemory
    }

    /// The kind of failure.
    public let kind: Kind
    /// A one-line explanation.
    public let message: String

    /// Makes an error with an explicit kind and message.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// Wraps the result of a libzstd call that returned an error code; `operation`
    /// names the call ("compress", "decompress", ...).
    init(libraryResult result: Int, operation: String) {
        let code = Int(ZSTD_getErrorCode(result).rawValue)
        let name = String(cString: ZSTD_getErrorName(result))
        self.init(kind: .library(code: code), message: "zstd \(operation) failed: \(name)")
    }

    /// The one-line message.
    public var description: String { message }
}

/// Returns the value of a libzstd `size_t` result, or throws a `ZstdError` when it is an
/// error code.
@inline(__always)
func zstdCheck(_ result: Int, _ operation: String) throws(ZstdError) -> Int {
    if ZSTD_isError(result) != 0 {
        throw ZstdError(libraryResult: result, operation: operation)
    }
    return result
}
