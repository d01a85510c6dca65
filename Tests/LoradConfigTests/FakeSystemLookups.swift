import Glibc
import LoradNotation
import LoradSystem

@testable import LoradConfig

/// A ``SystemLookups`` with made-up groups, users and files, so loader tests
/// need nothing from the machine.
struct FakeSystemLookups: SystemLookups {
    var groups: [String: UInt32] = ["root": 0, "lorad": 990, "lorad-admin": 991]
    var users: [String: UInt32] = ["root": 0, "alice": 1000]
    /// Config files by path.
    var files: [String: String] = [:]
    /// What exists; anything else is missing.
    var kinds: [String: PathKind] = [:]
    /// A group name whose lookup fails with `EIO`.
    var brokenGroup: String?

    func groupID(named name: String) throws(SystemError) -> UInt32? {
        if name == brokenGroup { throw SystemError(errno: EIO, operation: "getgrnam_r", path: name) }
        return groups[name]
    }

    func userID(named name: String) throws(SystemError) -> UInt32? { users[name] }

    func pathKind(at path: String) -> PathKind { kinds[path] ?? .missing }

    func readFile(at path: String, maximumBytes: Int) throws(SystemError) -> [UInt8] {
        guard let text = files[path] else { throw SystemError(errno: ENOENT, operation: "open", path: path) }
        return Array(Array(text.utf8).prefix(maximumBytes))
    }
}

extension ProcessEnvironment {
    /// A test environment: 16 GiB, 8 cores, working in /home/alice/work.
    static func fake(
        uid: UInt32 = 0, variables: [String: String] = [:], system: FakeSystemLookups = FakeSystemLookups()
    ) -> ProcessEnvironment {
        ProcessEnvironment(
            variables: variables, uid: uid, physicalMemory: 16 * ByteSize.gibibyte, coreCount: 8,
            currentDirectory: "/home/alice/work", system: system)
    }
}
