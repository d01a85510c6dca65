#if canImport(Glibc)
import Glibc
#endif
import LoradSystem

/// An output file that a server fills through a descriptor and that replaces its target
/// only when complete (`DurableFile.writeAtomically(to:write:)`: a temp file in the
/// target's folder, `fsync`ed and renamed over the target, removed on failure). `-`
/// means standard output, written in place.
enum AtomicOutput {
    /// Runs `body` with the descriptor to hand over, then commits; on a throw the target
    /// is untouched.
    static func write<T>(to path: String, _ body: (FileDescriptor) throws -> T) throws -> T {
        if path == "-" { return try body(FileDescriptor(rawValue: STDOUT_FILENO)) }
        return try DurableFile.writeAtomically(to: path, write: body)
    }
}
