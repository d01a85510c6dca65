import Glibc

/// What `stat` says about a file: type, size, identity, owner and modification time.
public struct FileStatus: Sendable, Hashable {
    /// The size in bytes (for a regular file).
    public var size: Int
    /// The `st_mode` bits: file type and permissions.
    public var mode: UInt32
    /// The device the file lives on (`st_dev`).
    public var device: UInt64
    /// The inode number (`st_ino`); with ``device`` it identifies the file.
    public var inode: UInt64
    /// The number of hard links.
    public var linkCount: UInt64
    /// The owner's uid (`st_uid`).
    public var owner: UInt32
    /// The owning group's gid (`st_gid`).
    public var group: UInt32
    /// Modification time: whole seconds since the Unix epoch.
    public var modificationSeconds: Int64
    /// Modification time: the nanoseconds part, 0..<1_000_000_000.
    public var modificationNanoseconds: Int64

    init(_ raw: stat) {
        size = Int(raw.st_size)
        mode = UInt32(raw.st_mode)
        device = UInt64(raw.st_dev)
        inode = UInt64(raw.st_ino)
        linkCount = UInt64(raw.st_nlink)
        owner = UInt32(raw.st_uid)
        group = UInt32(raw.st_gid)
        modificationSeconds = Int64(raw.st_mtim.tv_sec)
        modificationNanoseconds = Int64(raw.st_mtim.tv_nsec)
    }

    /// True for a folder.
    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    /// True for a regular file.
    public var isRegularFile: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    /// True for a symbolic link (only seen with `followSymlinks: false`).
    public var isSymlink: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFLNK) }
    /// The permission bits.
    public var permissions: FilePermissions { FilePermissions(rawValue: mode & 0o7777) }

    /// The file's type as a noun phrase for messages: `a regular file`, `a folder`,
    /// `a FIFO or pipe`, `a socket`, `a character device`, `a block device`,
    /// `a symbolic link`, or `a file of unknown type`.
    public var kindDescription: String {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFREG): "a regular file"
        case UInt32(S_IFDIR): "a folder"
        case UInt32(S_IFIFO): "a FIFO or pipe"
        case UInt32(S_IFSOCK): "a socket"
        case UInt32(S_IFCHR): "a character device"
        case UInt32(S_IFBLK): "a block device"
        case UInt32(S_IFLNK): "a symbolic link"
        default: "a file of unknown type"
        }
    }

    /// The status of the file at `path`, following symlinks unless told not to.
    ///
    /// The corresponding C function is `stat` (`lstat` when `followSymlinks` is false).
    /// - Throws: ``SystemError`` (``SystemError/isNotFound`` when nothing is there).
    public init(path: String, followSymlinks: Bool = true) throws(SystemError) {
        var raw = stat()
        _ = try retryingInterrupts(followSymlinks ? "stat" : "lstat", path: path) {
            followSymlinks ? stat(path, &raw) : lstat(path, &raw)
        }
        self.init(raw)
    }

    /// True when something exists at `path` (following symlinks). Any error,
    /// including a permission error, counts as "does not exist".
    ///
    /// The corresponding C function is `stat`.
    public static func exists(_ path: String) -> Bool {
        (try? FileStatus(path: path)) != nil
    }

    /// True when `path` is a folder (following symlinks); false on any error.
    ///
    /// The corresponding C function is `stat`.
    public static func isDirectory(_ path: String) -> Bool {
        (try? FileStatus(path: path))?.isDirectory ?? false
    }

    /// True when `path` is a regular file (following symlinks); false on any error.
    ///
    /// The corresponding C function is `stat`.
    public static func isRegularFile(_ path: String) -> Bool {
        (try? FileStatus(path: path))?.isRegularFile ?? false
    }
}
