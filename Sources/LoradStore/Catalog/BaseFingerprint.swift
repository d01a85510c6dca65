import Crypto
import LoradTensors

/// The identity of a base model's tensor layout, used to record which bases an
/// adapter was checked against.
///
/// The fingerprint is the SHA-256, in 64 lowercase hex digits, of a canonical text
/// made of one line per tensor, with the tensors sorted by name in byte order of
/// their UTF-8 spelling:
///
///     name <TAB> DTYPE <TAB> d0,d1,...,dn <LF>
///
/// where DTYPE is the safetensors spelling (`BF16`, `F32`, ...) and the shape is
/// the dimensions in decimal joined by commas (empty for a 0-d tensor). Only
/// names, dtypes and shapes take part, never weights or file offsets, so the same
/// model stored as one file or as shards, in any tensor order, has one
/// fingerprint; a different dtype or shape gives a different one.
///
/// Names holding a TAB or LF would make the text ambiguous; safetensors files from
/// real models have none, and the worst outcome would be two such bases sharing a
/// fingerprint. Duplicate names (which safetensors forbids) are hashed as given.
public enum BaseFingerprint {
    /// The fingerprint of `tensors` (see the type's documentation for the text).
    public static func compute(tensors: [(name: String, dtype: DType, shape: [Int])]) -> String {
        let sorted = tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        var hasher = SHA256()
        var line: [UInt8] = []
        for tensor in sorted {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: tensor.name.utf8)
            line.append(UInt8(ascii: "\t"))
            line.append(contentsOf: tensor.dtype.rawValue.utf8)
            line.append(UInt8(ascii: "\t"))
            line.append(contentsOf: tensor.shape.map(String.init).joined(separator: ",").utf8)
            line.append(UInt8(ascii: "\n"))
            line.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return BlobDigest.hexString(hasher.finalize())
    }

    /// True when `text` has the form of a fingerprint: 64 lowercase hex digits.
    public static func isValid(_ text: String) -> Bool { BlobDigest(hex: text) != nil }
}
