import Glibc

/// Crash-safe file writes and the small folder operations around them.
///
/// ``writeAtomically(to:permissions:size:fill:)`` follows the classic recipe: a
/// temp file in the target's folder, filled, `fsync`ed, renamed over the target,
/// then the folder `fsync`ed. A crash at any instant leaves either the old target
/// or the complete new one (plus, at worst, a stray `.<name>.tmp-*` file).
public enum DurableFile {
    /// Writes a file of exactly `size` bytes atomically: `fill` receives the
    /// file's bytes (a shared writable mapping of a new temp file, zero-filled)
    /// and writes them in place.
    ///
    /// The temp file is `.<name>.tmp-<pid>-<random>` in the target's folder. On
    /// any error (including one thrown by `fill`) the temp file is removed and the
    /// target is untouched; the error is rethrown as it was.
    ///
    /// - Parameters:
    ///   - path: the target file; its folder must exist.
    ///   - permissions: the new file's permission bits (minus the umask).
    ///   - size: the file size in bytes, >= 0.
    ///   - fill: writes the contents; it must not keep the buffer.
    /// - Throws: ``SystemError`` from the syscalls, or whatever `fill` throws.
    public static func writeAtomically(
        to path: String, permissions: FilePermissions = .defaultFile, size: Int,
        fill: (UnsafeMutableRawBufferPointer) throws -> Void
    ) throws {
        guard size >= 0 else { throw SystemError(errno: EINVAL, operation: "write (negative size \(size))", path: path) }
        try writeAtomically(to: path, permissions: permissions) { fd in
            try fd.truncate(toSize: Int64(size))
            let region = try MutableMappedRegion(fileDescriptor: fd, length: size)
            try fill(region.bytes)
            try region.sync()
            region.unmap()
        }
    }

    /// Writes a file atomically through a descriptor and returns what `write`
    /// returns: `write` receives a new temp file in the target's folder, opened
    /// read-write (so it may also be handed to another process), and fills it (with
    /// `write(toAbsoluteOffset:_:)`, in any order); then the file is `fsync`ed,
    /// renamed over the target and the folder `fsync`ed, as in
    /// ``writeAtomically(to:permissions:size:fill:)``. Use this for large outputs
    /// produced piece by piece: it avoids faulting a shared mapping page by page.
    ///
    /// - Throws: ``SystemError`` from the syscalls, or whatever `write` throws; the
    ///   temp file is removed and the target untouched on any error.
    @discardableResult
    public static func writeAtomically<Result>(
        to path: String, permissions: FilePermissions = .defaultFile,
        write: (FileDescriptor) throws -> Result
    ) throws -> Result {
        let (folder, name) = split(path)
        let tempPath = folder + "/." + name + ".tmp-\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let fd = try FileDescriptor.open(tempPath, .readWrite, options: .exclusiveCreate, permissions: permissions)
        var committed = false
        defer {
            try? fd.close()
            if !committed { _ = unlink(tempPath) }
        }
        let result = try write(fd)
        try fd.fsync()
        try rename(tempPath, to: path)
        committed = true
        try fsyncDirectory(folder)
        return result
    }

    /// Writes `bytes` to `path` atomically (see ``writeAtomically(to:permissions:size:fill:)``).
    ///
    /// - Throws: ``SystemError``; the target is untouched on failure.
    public static func writeAtomically(
        to path: String, bytes: [UInt8], permissions: FilePermissions = .defaultFile
    ) throws {
        try writeAtomically(to: path, permissions: permissions, size: bytes.count) { buffer in
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        }
    }

    /// Flushes a folder's entries (a rename or a new file in it) to disk.
    ///
    /// The corresponding C function is `fsync` on the folder opened `O_RDONLY | O_DIRECTORY`.
    public static func fsyncDirectory(_ path: String) throws(SystemError) {
        let fd = try FileDescriptor.open(path, .readOnly, options: .directory)
        defer { try? fd.close() }
        try fd.fsync()
    }

    /// Removes a file (not a folder).
    ///
    /// The corresponding C function is `unlink`.
    /// - Parameter ignoringMissing: when true, a missing file is not an error.
    public static func removeFile(_ path: String, ignoringMissing: Bool = false) throws(SystemError) {
        if unlink(path) == -1 {
            let error = SystemError.current("unlink", path: path)
            if ignoringMissing, error.isNotFound { return }
            throw error
        }
    }

    /// Removes an empty folder.
    ///
    /// The corresponding C function is `rmdir`.
    public static func removeDirectory(_ path: String) throws(SystemError) {
        _ = try retryingInterrupts("rmdir", path: path) { rmdir(path) }
    }

    /// Removes `path` and, for a folder, everything under it. Symlinks are
    /// removed, never followed. A missing `path` is not an error.
    ///
    /// The corresponding C functions are `lstat`, `unlink` and `rmdir`.
    public static func removeTree(_ path: String) throws(SystemError) {
        let status: FileStatus
        do {
            status = try FileStatus(path: path, followSymlinks: false)
        } catch {
            if error.isNotFound { return }
            throw error
        }
        if status.isDirectory {
            for name in try listDirectory(path) { try removeTree(path + "/" + name) }
            try removeDirectory(path)
        } else {
            try removeFile(path, ignoringMissing: true)
        }
    }

    /// Creates a new, empty, private (0700) folder `<parent>/<prefix>XXXXXX`
    /// with a unique random suffix and returns its path.
    ///
    /// The corresponding C function is `mkdtemp`.
    public static func makeTemporaryDirectory(in parent: String = "/tmp", prefix: String) throws(SystemError) -> String {
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard made != nil else { throw SystemError.current("mkdtemp", path: parent) }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Renames `source` to `destination`, atomically replacing a file there.
    /// Both must be on one file system (`EXDEV` otherwise).
    ///
    /// The corresponding C function is `rename`.
    public static func rename(_ source: String, to destination: String) throws(SystemError) {
        _ = try retryingInterrupts("rename", path: "\(source) -> \(destination)") { Glibc.rename(source, destination) }
    }

    /// Creates a folder; with `createIntermediates`, also its missing parents, and
    /// an existing folder is then not an error (like `mkdir -p`).
    ///
    /// The corresponding C function is `mkdir`.
    /// - Throws: ``SystemError`` (`EEXIST` without `createIntermediates`, `ENOTDIR`
    ///   when a component is a file).
    public static func makeDirectory(
        _ path: String, permissions: FilePermissions = .defaultDirectory, createIntermediates: Bool = false
    ) throws(SystemError) {
        if mkdir(path, mode_t(permissions.rawValue)) == 0 { return }
        let error = SystemError.current("mkdir", path: path)
        guard createIntermediates else { throw error }
        switch error.errno {
        case EEXIST:
            if FileStatus.isDirectory(path) { return }
            throw SystemError(errno: ENOTDIR, operation: "mkdir", path: path)
        case ENOENT:
            let parent = split(path).folder
            guard parent != path, !parent.isEmpty else { throw error }
            try makeDirectory(parent, permissions: permissions, createIntermediates: true)
            if mkdir(path, mode_t(permissions.rawValue)) == 0 || (Glibc.errno == EEXIST && FileStatus.isDirectory(path)) {
                return
            }
            throw SystemError.current("mkdir", path: path)
        default:
            throw error
        }
    }

    /// The names in a folder, sorted, without `.` and `..`.
    ///
    /// The corresponding C functions are `opendir`, `readdir` and `closedir`.
    public static func listDirectory(_ path: String) throws(SystemError) -> [String] {
        guard let dir = opendir(path) else { throw SystemError.current("opendir", path: path) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            Glibc.errno = 0
            guard let entry = readdir(dir) else {
                if Glibc.errno != 0 { throw SystemError.current("readdir", path: path) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Splits a path into its folder (`.` when there is none) and last component.
    static func split(_ path: String) -> (folder: String, name: String) {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        return (PathName.folder(String(trimmed)), PathName.base(path))
    }
}
