import CZstd

/// A zstd compression setting: a level plus optional overrides of its advanced
/// parameters (nil keeps what the level implies).
///
/// Values are passed to `ZSTD_CCtx_setParameter`; an out-of-range value makes
/// `ZstdCompressor.compress` throw rather than clamp.
public struct ZstdParameters: Sendable, Hashable {
    /// The match-finding strategy (`ZSTD_c_strategy`), from fastest to strongest.
    public enum Strategy: Int32, Sendable, Hashable, CaseIterable {
        case fast = 1, dfast, greedy, lazy, lazy2, btlazy2, btopt, btultra, btultra2
    }

    /// The compression level (`ZSTD_c_compressionLevel`), 1...22 (negative levels are
    /// the "fast" family).
    public var level: Int32
    /// `ZSTD_c_strategy` override.
    public var strategy: Strategy?
    /// `ZSTD_c_windowLog` override (log2 of the window in bytes, 10...31).
    public var windowLog: Int32?
    /// `ZSTD_c_hashLog` override.
    public var hashLog: Int32?
    /// `ZSTD_c_chainLog` override.
    public var chainLog: Int32?
    /// `ZSTD_c_searchLog` override.
    public var searchLog: Int32?
    /// `ZSTD_c_minMatch` override (3...7).
    public var minMatch: Int32?
    /// `ZSTD_c_targetLength` override.
    public var targetLength: Int32?

    /// A plain level with no overrides.
    public init(level: Int32) {
        self.level = level
    }

    /// A level with explicit overrides.
    public init(
        level: Int32, strategy: Strategy?, windowLog: Int32? = nil, hashLog: Int32? = nil,
        chainLog: Int32? = nil, searchLog: Int32? = nil, minMatch: Int32? = nil,
        targetLength: Int32? = nil
    ) {
        self.level = level
        self.strategy = strategy
        self.windowLog = windowLog
        self.hashLog = hashLog
        self.chainLog = chainLog
        self.searchLog = searchLog
        self.minMatch = minMatch
        self.targetLength = targetLength
    }

    /// The (parameter, value) pairs to apply after a reset, level first.
    var settings: [(ZSTD_cParameter, Int32)] {
        var out: [(ZSTD_cParameter, Int32)] = [(ZSTD_c_compressionLevel, level)]
        if let strategy { out.append((ZSTD_c_strategy, strategy.rawValue)) }
        if let windowLog { out.append((ZSTD_c_windowLog, windowLog)) }
        if let hashLog { out.append((ZSTD_c_hashLog, hashLog)) }
        if let chainLog { out.append((ZSTD_c_chainLog, chainLog)) }
        if let searchLog { out.append((ZSTD_c_searchLog, searchLog)) }
        if let minMatch { out.append((ZSTD_c_minMatch, minMatch)) }
        if let targetLength { out.append((ZSTD_c_targetLength, targetLength)) }
        // Frames carry their content size (readers bound allocations with it), no
        // dictionary id and no zstd checksum (packs checksum the tensor themselves).
        out.append((ZSTD_c_contentSizeFlag, 1))
        out.append((ZSTD_c_checksumFlag, 0))
        out.append((ZSTD_c_dictIDFlag, 0))
        return out
    }
}
