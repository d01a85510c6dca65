import LoradSystem
import LoradTensors

extension SourceFileIdentity {
    /// The identity of the file at `path` now: `fstat` of an open descriptor and the SHA-256
    /// of its safetensors header (``Role/weights``) or of the whole file (``Role/index``,
    /// at most `SafetensorsModel.maximumIndexLength` bytes). Reads no tensor data.
    /// - Throws: ``SystemError`` (open, fstat, pread), ``FdStoreRejection`` for a file that
    ///   is not a regular file or has an impossible header.
    static func capture(path: String, role: Role) throws -> SourceFileIdentity {
        let file = OwnedFileDescriptor(try FileDescriptor.open(path, .readOnly))
        let status = try file.descriptor.status()
        guard status.isRegularFile else { throw FdStoreRejection("\(path) is not a regular file") }
        let digest = switch role {
        case .weights: try SafetensorsHeaderDigest.sha256(of: file.descriptor, fileSize: status.size, name: path)
        case .index:
            try SafetensorsHeaderDigest.sha256OfWholeFile(
                file.descriptor, fileSize: status.size, limit: SafetensorsModel.maximumIndexLength, name: path)
        }
        return SourceFileIdentity(
            path: path, role: role, device: status.device, inode: status.inode, size: UInt64(max(0, status.size)),
            modificationSeconds: status.modificationSeconds, modificationNanoseconds: status.modificationNanoseconds,
            sha256: digest)
    }

    /// The identities of every file `SafetensorsModel.open(path:)` reads for `path`: the
    /// shard index first when there is one, then each safetensors file in path order.
    /// - Throws: ``SafetensorsError`` for a folder lorad cannot load, and as
    ///   ``capture(path:role:)``.
    static func captureModel(path: String) throws -> [SourceFileIdentity] {
        let sources = try SafetensorsModel.sourceFiles(of: path)
        var identities: [SourceFileIdentity] = []
        if let index = sources.index { identities.append(try capture(path: index, role: .index)) }
        for file in sources.files { identities.append(try capture(path: file, role: .weights)) }
        return identities
    }
}
