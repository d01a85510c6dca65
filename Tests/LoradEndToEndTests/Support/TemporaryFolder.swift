import Glibc
import LoradSystem

/// A fresh folder under /tmp, removed with everything in it by `remove()` or when the last
/// reference goes away.
final class TemporaryFolder {
    /// The folder's absolute path.
    let path: String

    /// Makes `/tmp/<prefix>XXXXXX` with `permissions` (0o755 lets other users, such as the
    /// uid 65534 clients of the access tests, reach sockets and files inside).
    init(prefix: String = "lorad-e2e-", permissions: mode_t = 0o755) throws {
        path = try DurableFile.makeTemporaryDirectory(in: "/tmp", prefix: prefix)
        chmod(path, permissions)
    }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` inside the folder and returns its path.
    @discardableResult
    func write(_ text: String, to name: String, permissions: FilePermissions = .defaultFile) throws -> String {
        let target = file(name)
        try DurableFile.writeAtomically(to: target, bytes: Array(text.utf8), permissions: permissions)
        return target
    }

    deinit { try? DurableFile.removeTree(path) }
}
