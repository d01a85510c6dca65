import LoradStore
import LoradSystem
import LoradTensors

/// SHA-256 of a file's safetensors header, read with `pread`: the 8-byte little-endian
/// length and the JSON header bytes, never the tensor data.
enum SafetensorsHeaderDigest {
    /// The digest (64 lowercase hex digits) of the header of the `fileSize`-byte file `fd`.
    /// - Throws: ``FdStoreRejection`` when the length is beyond the file or
    ///   `SafetensorsHeader.maximumHeaderLength`; ``SystemError`` from `pread`.
    static func sha256(of fd: FileDescriptor, fileSize: Int, name: String) throws -> String {
        guard fileSize >= 8 else { throw FdStoreRejection("\(name) is \(fileSize) bytes, too short for a safetensors header") }
        let prefix = try fd.readBytes(fromAbsoluteOffset: 0, count: 8)
        let length = prefix.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= UInt64(SafetensorsHeader.maximumHeaderLength), length <= UInt64(fileSize - 8) else {
            throw FdStoreRejection("\(name) declares a \(length)-byte safetensors header, which its \(fileSize) bytes cannot hold")
        }
        return BlobDigest(of: prefix + (try fd.readBytes(fromAbsoluteOffset: 8, count: Int(length)))).hex
    }

    /// The digest of all `fileSize` bytes of `fd` (a small file: at most `limit` bytes).
    /// - Throws: ``FdStoreRejection`` above `limit`; ``SystemError`` from `pread`.
    static func sha256OfWholeFile(_ fd: FileDescriptor, fileSize: Int, limit: Int, name: String) throws -> String {
        guard fileSize <= limit else { throw FdStoreRejection("\(name) is \(fileSize) bytes, more than the \(limit)-byte limit") }
        return BlobDigest(of: try fd.readBytes(fromAbsoluteOffset: 0, count: fileSize)).hex
    }
}
