#if canImport(Glibc)
import Glibc
#endif
import LoradSystem

/// An output file that a server fills through a descriptor and that replaces its target
/// only when complete (`DurableFile.writeAtomically(to:write:)`: a temp file in the
/// target's folder, `fsync`ed and renamed over the target, removed on failure). `-`
/// means standard output, written in place. A target lorad will not write itself (a file
/// on FUSE or NFS) is written through a pipe (``OutputRelay``).
enum AtomicOutput {
    /// Runs `body` with the descriptor to hand over, then commits; on a throw the target
    /// is untouched.
    static func write<T>(to path: String, _ body: (FileDescriptor) throws -> T) throws -> T {
        if path == "-" { return try OutputRelay.write(to: FileDescriptor(rawValue: STDOUT_FILENO), body) }
        return try DurableFile.writeAtomically(to: path) { file in try OutputRelay.write(to: file, body) }
    }
}
