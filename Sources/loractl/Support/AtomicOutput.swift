#if canImport(Glibc)
import Glibc
#endif
import LoradSystem

/// An output file that a server fills through a descriptor and that replaces its target
/// only when complete: a temp file in the target's folder, `fsync`ed and renamed over the
/// target on `commit()`, removed on `discard()`. `-` means standard output (written in
/// place, nothing to rename).
struct AtomicOutput {
    /// The file the user named.
    let path: String
    /// Where the bytes go until `commit()` (nil for standard output).
    let temporaryPath: String?
    /// The descriptor to hand over (writable, positioned at 0).
    let descriptor: FileDescriptor

    /// Creates the temp file next to `path` (or uses standard output for `-`).
    /// - Throws: `SystemError` (`ENOENT` when the folder does not exist, `EACCES`...).
    init(path: String) throws {
        self.path = path
        if path == "-" {
            temporaryPath = nil
            descriptor = FileDescriptor(rawValue: STDOUT_FILENO)
            return
        }
        let folder = PathName.folder(path)
        let name = PathName.base(path)
        let temporary = folder + "/." + name + ".tmp-\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        descriptor = try FileDescriptor.open(temporary, .writeOnly, options: .exclusiveCreate)
        temporaryPath = temporary
    }

    /// Flushes the file, renames it over the target and flushes the folder.
    func commit() throws {
        guard let temporaryPath else { return }
        do {
            try descriptor.fsync()
            try descriptor.close()
        } catch {
            _ = try? DurableFile.removeFile(temporaryPath, ignoringMissing: true)
            throw error
        }
        try DurableFile.rename(temporaryPath, to: path)
        try DurableFile.fsyncDirectory(PathName.folder(path))
    }

    /// Closes and removes the temp file; the target is untouched.
    func discard() {
        guard let temporaryPath else { return }
        try? descriptor.close()
        try? DurableFile.removeFile(temporaryPath, ignoringMissing: true)
    }

    /// Runs `body` with the descriptor, then commits, or discards when `body` throws.
    static func write<T>(to path: String, _ body: (FileDescriptor) throws -> T) throws -> T {
        let output = try AtomicOutput(path: path)
        let result: T
        do {
            result = try body(output.descriptor)
        } catch {
            output.discard()
            throw error
        }
        try output.commit()
        return result
    }
}
