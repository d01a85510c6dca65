/// What lorad remembers of one file a base was built from, to tell on restart whether the
/// file is still the same one, unchanged, without reading its weights (pure).
public struct SourceFileIdentity: Sendable, Hashable {
    /// What the file is to the base.
    public enum Role: String, Sendable, Hashable {
        /// A safetensors file (the model, or one shard); ``SourceFileIdentity/sha256`` covers
        /// its header only: the 8-byte length and the JSON header bytes.
        case weights
        /// A diffusers `*.safetensors.index.json`; ``SourceFileIdentity/sha256`` covers the
        /// whole (small) file.
        case index
    }

    /// The file's path as lorad opened it.
    public var path: String
    /// What the file is.
    public var role: Role
    /// `st_dev`.
    public var device: UInt64
    /// `st_ino`.
    public var inode: UInt64
    /// `st_size`, in bytes.
    public var size: UInt64
    /// `st_mtim.tv_sec`: seconds since the Unix epoch (may be negative).
    public var modificationSeconds: Int64
    /// `st_mtim.tv_nsec`: 0..<1_000_000_000.
    public var modificationNanoseconds: Int64
    /// SHA-256, 64 lowercase hex digits, of the header (``Role/weights``) or of the whole
    /// file (``Role/index``).
    public var sha256: String

    /// Makes an identity from its parts.
    public init(
        path: String, role: Role, device: UInt64, inode: UInt64, size: UInt64,
        modificationSeconds: Int64, modificationNanoseconds: Int64, sha256: String
    ) {
        self.path = path
        self.role = role
        self.device = device
        self.inode = inode
        self.size = size
        self.modificationSeconds = modificationSeconds
        self.modificationNanoseconds = modificationNanoseconds
        self.sha256 = sha256
    }

    /// Why `current` (a fresh look at the file) is not the file this identity describes,
    /// or nil when it is: the first difference, in the order path, role, device, inode,
    /// size, mtime, hash.
    public func mismatch(_ current: SourceFileIdentity) -> String? {
        if path != current.path { return "the file list changed (\(path) is now \(current.path))" }
        if role != current.role { return "\(path) changed role (\(role.rawValue) -> \(current.role.rawValue))" }
        if device != current.device || inode != current.inode {
            return "\(path) is another file now (device:inode \(device):\(inode) -> \(current.device):\(current.inode))"
        }
        if size != current.size { return "\(path) changed size (\(size) -> \(current.size) bytes)" }
        if modificationSeconds != current.modificationSeconds || modificationNanoseconds != current.modificationNanoseconds {
            return "\(path) was modified (mtime \(mtimeText) -> \(current.mtimeText))"
        }
        if sha256 != current.sha256 {
            return "\(path) has another \(role == .weights ? "safetensors header" : "content") (sha256 \(sha256.prefix(12))... -> \(current.sha256.prefix(12))...)"
        }
        return nil
    }

    /// `seconds.nanoseconds`, for messages.
    var mtimeText: String {
        let nanos = String(modificationNanoseconds)
        return "\(modificationSeconds).\(String(repeating: "0", count: max(0, 9 - nanos.count)))\(nanos)"
    }
}
