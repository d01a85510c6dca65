import Glibc
import LoradSystem

/// A fresh temp folder under /tmp, removed by `cleanup()`.
struct TempFolder {
    let path: String

    init() throws {
        path = try DurableFile.makeTemporaryDirectory(prefix: "lorad-system-tests-")
    }

    func file(_ name: String) -> String { path + "/" + name }

    func cleanup() { try? DurableFile.removeTree(path) }
}

/// The number of open descriptors of this process.
func openDescriptorCount() -> Int {
    (try? DurableFile.listDirectory("/proc/self/fd").count) ?? -1
}

/// Runs `body` many times and returns how many descriptors were gained. Tests
/// run in parallel, so a single before/after count is noisy; a leak grows with
/// the iteration count while the noise from other tests does not.
func descriptorGrowth(iterations: Int = 200, _ body: () throws -> Void) rethrows -> Int {
    let before = openDescriptorCount()
    for _ in 0..<iterations { try body() }
    return openDescriptorCount() - before
}

/// Reads a whole small file with plain descriptors.
func contents(of path: String) throws -> [UInt8] {
    let fd = try FileDescriptor.open(path, .readOnly)
    defer { try? fd.close() }
    var result = [UInt8](repeating: 0, count: try fd.size())
    try result.withUnsafeMutableBytes { try fd.readExactly(fromAbsoluteOffset: 0, into: $0) }
    return result
}
