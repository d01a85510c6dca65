import LoradStore
import LoradSystem
import LoradTensors

/// SHA-256 of a file's safetensors header, read with `pread`: the 8-byte little-endian
/// length and the JSON header bytes, never the tensor data.
enum SafetensorsHeaderDigest {
    /// The digest (64 lowercase hex digits) of the header of the `fileSize`-byte file `fd`.
    /// - Throws: ``FdStoreRejection`` when the file is too short for a header or declares a
    ///   header length `SafetensorsHeader.jsonLength(prefix:fileLength:)` refuses;
    ///   ``SystemError`` from `pread`.
    static func sha256(of fd: FileDescriptor, fileSize: Int, name: String) throws -> String {
        let prefix = try fd.readBytes(fromAbsoluteOffset: 0, count: min(8, max(0, fileSize)))
        let length: Int
        do {
            length = try prefix.withUnsafeBytes { raw in try SafetensorsHeader.jsonLength(prefix: raw, fileLength: fileSize) }
        } catch {
            throw FdStoreRejection("\(name): \(error)")
        }
        return BlobDigest(of: prefix + (try fd.readBytes(fromAbsoluteOffset: 8, count: length))).hex
    }

    /// The digest of all `fileSize` bytes of `fd` (a small file: at most `limit` bytes).
    /// - Throws: ``FdStoreRejection`` above `limit`; ``SystemError`` from `pread`.
    static func sha256OfWholeFile(_ fd: FileDescriptor, fileSize: Int, limit: Int, name: String) throws -> String {
        guard fileSize <= limit else { throw FdStoreRejection("\(name) is \(fileSize) bytes, more than the \(limit)-byte limit") }
        return BlobDigest(of: try fd.readBytes(fromAbsoluteOffset: 0, count: fileSize)).hex
    }
}
