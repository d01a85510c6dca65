import Foundation

/// Runs a program to completion and collects its exit status and output.
enum ProcessRunner {
    /// What a finished program left.
    struct Outcome: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String

        var description: String { "status \(status), stdout \(stdout.debugDescription), stderr \(stderr.debugDescription)" }
    }

    /// The uid the access tests run foreign clients as (`nobody`).
    static let foreignUID = 65534

    /// Runs `executable` with `arguments`; stdin is /dev/null. The output is read through
    /// files (not pipes) so a chatty program never blocks.
    static func run(_ executable: String, _ arguments: [String], in folder: TemporaryFolder) throws -> Outcome {
        let tag = UUID().uuidString
        let outPath = folder.file("out-\(tag)"), errPath = folder.file("err-\(tag)")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// The supplementary groups ``runAs(uid:gid:groups:_:in:)`` gives the command.
    enum SupplementaryGroups {
        /// None (`setpriv --clear-groups`).
        case cleared
        /// Exactly these gids (`setpriv --groups`), whatever the group database says.
        case given([UInt32])
        /// The user's groups from the group database (`setpriv --init-groups`), as a login gets.
        case fromDatabase
    }

    /// Runs `command` as uid and gid 65534 with no supplementary groups
    /// (`setpriv --reuid=65534 --regid=65534 --clear-groups`).
    static func runAsForeignUser(_ command: [String], in folder: TemporaryFolder) throws -> Outcome {
        try runAs(uid: UInt32(foreignUID), gid: UInt32(foreignUID), groups: .cleared, command, in: folder)
    }

    /// Runs `command` as `uid` with primary group `gid` and `groups`, through `setpriv`.
    static func runAs(
        uid: UInt32, gid: UInt32, groups: SupplementaryGroups, _ command: [String], in folder: TemporaryFolder
    ) throws -> Outcome {
        let groupOption = switch groups {
        case .cleared: "--clear-groups"
        case .given(let gids): "--groups=" + gids.map(String.init).joined(separator: ",")
        case .fromDatabase: "--init-groups"
        }
        return try run("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", groupOption, "--"] + command, in: folder)
    }

    /// A Python client (the system's /usr/bin/python3, which uid 65534 can run) that
    /// connects to `socket`, sends each frame (hex) in turn, with the descriptor of a file
    /// it opens itself when the frame is given as `HEX@PATH`, and prints one line per frame
    /// it reads back: `OPCODE CODE NAME` (code and name are those of ERROR/FATAL frames,
    /// `0 -` otherwise), stopping after a FATAL or at end of stream (`eof`).
    static let pythonClient = #"""
        import array, socket, struct, sys
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(60)
        sock.connect(sys.argv[1])
        def read_exact(count):
            data = b""
            while len(data) < count:
                chunk = sock.recv(count - len(data))
                if not chunk:
                    return None
                data += chunk
            return data
        for spec in sys.argv[2:]:
            frame_hex, _, path = spec.partition("@")
            frame = bytes.fromhex(frame_hex)
            try:
                if path:
                    with open(path, "rb") as f:
                        socket.send_fds(sock, [frame], [f.fileno()])
                else:
                    sock.sendall(frame)
            except OSError as error:
                print("send-failed", error.errno)
            header = read_exact(16)
            if header is None:
                print("eof")
                break
            length, opcode, flags, fds, reserved, request_id = struct.unpack("<IHHHHI", header)
            payload = read_exact(length) or b""
            if opcode in (0xFFFE, 0xFFFF):
                code, name_length = struct.unpack_from("<HH", payload, 0)
                name = payload[4:4 + name_length].decode()
            else:
                code, name = 0, "-"
            print("0x%04x %d %s" % (opcode, code, name))
            sys.stdout.flush()
            if opcode == 0xFFFF:
                break
        """#

    /// Runs `pythonClient` as uid 65534 against `socket` with `frames` (see there).
    static func runPythonClientAsForeignUser(socket: String, frames: [String], in folder: TemporaryFolder) throws -> Outcome {
        try runAsForeignUser(["/usr/bin/python3", "-c", pythonClient, socket] + frames, in: folder)
    }
}

extension Array where Element == UInt8 {
    /// The bytes as lower-case hex with no separators.
    var hex: String { map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
}
