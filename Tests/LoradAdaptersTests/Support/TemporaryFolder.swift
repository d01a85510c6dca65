import LoradSystem

/// A folder under /tmp removed when the value is released.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = try DurableFile.makeTemporaryDirectory(prefix: "lorad-adapters-test")
    }

    deinit { try? DurableFile.removeTree(path) }

    /// Writes a file in the folder.
    func write(_ name: String, bytes: [UInt8]) throws {
        try DurableFile.writeAtomically(to: path + "/" + name, bytes: bytes)
    }
}
