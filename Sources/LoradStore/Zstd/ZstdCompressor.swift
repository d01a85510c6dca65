import CZstd

/// A reusable zstd compression context (`ZSTD_CCtx`).
///
/// Not Sendable: a context is mutable C state, so use one compressor per thread and
/// reuse it for many frames (that is the point: allocation and table set-up happen once).
/// The context is freed when the compressor is deinitialised.
public final class ZstdCompressor {
    private let context: OpaquePointer
    private var current: ZstdParameters?

    /// Creates a context. Throws `ZstdError` (kind `.outOfMemory`) if libzstd cannot
    /// allocate one.
    public init() throws(ZstdError) {
        guard let context = ZSTD_createCCtx() else {
            throw ZstdError(kind: .outOfMemory, message: "zstd could not allocate a compression context")
        }
        self.context = context
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `source` into one complete zstd frame that records its content size.
    ///
    /// - Parameters:
    ///   - source: the bytes to compress (borrowed for the call only).
    ///   - parameters: the level and overrides; applied only when they differ from the
    ///     previous call's.
    /// - Returns: the frame's bytes (at most `ZSTD_compressBound(source.count)`).
    /// - Throws: `ZstdError` when a parameter is out of range or compression fails.
    public func compress(_ source: UnsafeRawBufferPointer, parameters: ZstdParameters) throws(ZstdError) -> [UInt8] {
        if current != parameters {
            current = nil
            _ = try zstdCheck(ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters), "reset")
            for (parameter, value) in parameters.settings {
                _ = try zstdCheck(ZSTD_CCtx_setParameter(context, parameter, value), "set parameter \(parameter.rawValue)=\(value)")
            }
            current = parameters
        }
        let bound = ZSTD_compressBound(source.count)
        guard ZSTD_isError(bound) == 0 else {
            throw ZstdError(libraryResult: bound, operation: "compress (input of \(source.count) bytes)")
        }
        var failure: ZstdError?
        let frame = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let written = ZSTD_compress2(context, buffer.baseAddress, bound, source.baseAddress, source.count)
            if ZSTD_isError(written) != 0 {
                failure = ZstdError(libraryResult: written, operation: "compress")
                count = 0
            } else {
                count = written
            }
        }
        if let failure { throw failure }
        return frame
    }

    /// Compresses an array; see `compress(_:parameters:)`.
    public func compress(_ source: [UInt8], parameters: ZstdParameters) throws(ZstdError) -> [UInt8] {
        try source.withTypedBytes { (raw) throws(ZstdError) -> [UInt8] in
            try compress(raw, parameters: parameters)
        }
    }
}
