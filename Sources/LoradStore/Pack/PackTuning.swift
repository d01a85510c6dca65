/// The zstd settings PackWriter uses for plane frames, chosen by measurement on bf16
/// LoRA factors (docs/PACK_FORMAT.md, "Rationale"). These are writer choices, not part
/// of the format: any valid zstd frame decodes.
enum PackTuning {
    /// Exponent planes: at level 1 double-fast with 7-byte minimum matches (short
    /// matches cost more than the literals they replace in a ~2.8-bit/byte stream); at
    /// level >= 2 the optimal parser (btopt) with small tables and a one-step search,
    /// which gets below the plane's order-0 entropy and is the ratio plateau: larger
    /// tables and higher levels only cost time.
    static func exponentPlane(level: Int32) -> ZstdParameters {
        if level <= 1 {
            return ZstdParameters(level: 1, strategy: .dfast, minMatch: 7)
        }
        return ZstdParameters(
            level: level, strategy: .btopt, windowLog: 18, hashLog: 10, chainLog: 10,
            searchLog: 1, minMatch: 7, targetLength: 16)
    }

    /// Mantissa planes are nearly uniform bytes: level 1 finds nothing to do quickly and
    /// zstd stores them as raw blocks.
    static let mantissaPlane = ZstdParameters(level: 1)
}
