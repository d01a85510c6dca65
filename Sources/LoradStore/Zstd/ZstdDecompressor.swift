import CZstd

/// A reusable zstd decompression context (`ZSTD_DCtx`) that decodes single frames of a
/// size known in advance.
///
/// Not Sendable: use one decompressor per thread. The context is freed on deinit.
/// Decoding never allocates output: the caller supplies a destination of exactly the
/// expected size, and a frame that declares any other size, or declares none, is
/// rejected before decoding starts, so a hostile frame cannot make us allocate.
public final class ZstdDecompressor {
    /// The largest window (log2 bytes) a frame may ask for: 2^27 = 128 MiB, libzstd's
    /// default limit.
    public static let maxWindowLog: Int32 = 27

    private let context: OpaquePointer

    /// Creates a context. Throws `ZstdError` (kind `.outOfMemory`) if libzstd cannot
    /// allocate one.
    public init() throws(ZstdError) {
        guard let context = ZSTD_createDCtx() else {
            throw ZstdError(kind: .outOfMemory, message: "zstd could not allocate a decompression context")
        }
        self.context = context
        _ = try zstdCheck(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Self.maxWindowLog), "set window limit")
    }

    deinit { ZSTD_freeDCtx(context) }

    /// The content size a frame declares in its header (`ZSTD_getFrameContentSize`).
    ///
    /// - Returns: the size, or nil when the frame does not record it.
    /// - Throws: `ZstdError` when `frame` does not start with a valid frame header.
    public static func declaredContentSize(of frame: UnsafeRawBufferPointer) throws(ZstdError) -> UInt64? {
        let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        switch size {
        case UInt64.max: return nil  // ZSTD_CONTENTSIZE_UNKNOWN
        case UInt64.max - 1:  // ZSTD_CONTENTSIZE_ERROR
            throw ZstdError(kind: .unexpectedFrame, message: "not a zstd frame (bad frame header)")
        default: return size
        }
    }

    /// Decodes the single zstd frame that fills all of `frame` into all of `destination`.
    ///
    /// - Parameters:
    ///   - frame: exactly one zstd frame, no leading or trailing bytes.
    ///   - destination: receives the content; its count is the expected content size.
    /// - Throws: `ZstdError` if the frame header is invalid, does not declare its size,
    ///   declares a size other than `destination.count`, is followed by trailing bytes,
    ///   or fails to decode.
    public func decompress(_ frame: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(ZstdError) {
        guard let declared = try Self.declaredContentSize(of: frame) else {
            throw ZstdError(kind: .unexpectedFrame, message: "zstd frame does not declare its content size")
        }
        guard declared == UInt64(destination.count) else {
            throw ZstdError(kind: .unexpectedFrame, message: "zstd frame declares \(declared) bytes, expected \(destination.count)")
        }
        let frameLength = try zstdCheck(ZSTD_findFrameCompressedSize(frame.baseAddress, frame.count), "find frame end")
        guard frameLength == frame.count else {
            throw ZstdError(kind: .unexpectedFrame, message: "zstd frame is \(frameLength) bytes but its region is \(frame.count)")
        }
        let written = try zstdCheck(
            ZSTD_decompressDCtx(context, destination.baseAddress, destination.count, frame.baseAddress, frame.count),
            "decompress")
        guard written == destination.count else {
            throw ZstdError(kind: .unexpectedFrame, message: "zstd frame decoded to \(written) bytes, expected \(destination.count)")
        }
    }
}
