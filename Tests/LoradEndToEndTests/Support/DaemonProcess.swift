import Foundation
import Glibc
import LoradClient
import LoradSystem
import LoradWire

/// A real `lorad` process on a socket and state folder of its own, serving the tiny
/// fixture base as `tiny`.
///
/// Start it with `init`, wait for it with `waitUntilReady()`, and end the test with
/// `stop()`, which checks the graceful exit (status 0, socket removed). A daemon that is
/// still running when the value goes away (a failed test) is killed with SIGKILL.
final class DaemonProcess {
    /// The base name the fixture base is served under.
    static let baseName = "tiny"

    /// The folder holding the socket, the state folder, the log and any config file.
    let folder: TemporaryFolder
    /// The socket the daemon listens on.
    let socketPath: String
    /// The daemon's stderr (its log), kept for failure messages.
    let logPath: String
    private let process = Process()

    /// Starts `lorad --state-dir D/state --socket D/lorad.sock --base tiny=... --memory-budget
    /// 256MiB` (or `memoryBudget`), plus `--config` when `config` (TOML text) is given, plus
    /// `arguments`.
    init(config: String? = nil, memoryBudget: String = "256MiB", arguments: [String] = []) throws {
        folder = try TemporaryFolder()
        socketPath = folder.file("lorad.sock")
        logPath = folder.file("lorad.log")
        var all = [
            "--state-dir", folder.file("state"), "--socket", socketPath,
            "--base", "\(Self.baseName)=\(TestPaths.base)", "--memory-budget", memoryBudget,
        ]
        if let config { all += ["--config", try folder.write(config, to: "lorad.toml")] }
        all += arguments
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: TestPaths.binary("lorad"))
        process.arguments = all
        process.standardInput = FileHandle.nullDevice
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The daemon's process id.
    var pid: Int32 { process.processIdentifier }

    /// Whether the process is still running.
    var isRunning: Bool { process.isRunning }

    /// What the daemon wrote to stderr so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls (connect, PING, LIST_BASES) until the daemon answers and the base is ready,
    /// and returns that connection. Fails when the process exits or `timeout` passes.
    func waitUntilReady(timeout: Duration = .seconds(60)) throws -> LoradConnection {
        let deadline = ContinuousClock.now + timeout
        var lastError = "nothing tried yet"
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw EndToEndFailure("lorad exited (status \(process.terminationStatus)) before it answered; log:\n\(log)")
            }
            do {
                let connection = try LoradConnection.connect(path: socketPath, name: "lorad-e2e")
                if try connection.ping(token: 7) == 7 {
                    while ContinuousClock.now < deadline {
                        let base = try connection.listBases().first { $0.name == Self.baseName }
                        if base?.state == .ready { return connection }
                        if base?.state == .failed { throw EndToEndFailure("base \(Self.baseName) failed to load; log:\n\(log)") }
                        Thread.sleep(forTimeInterval: 0.02)
                    }
                }
                connection.close()
            } catch let error as EndToEndFailure {
                throw error
            } catch {
                lastError = "\(error)"
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw EndToEndFailure("lorad did not get ready within \(timeout) (last: \(lastError)); log:\n\(log)")
    }

    /// A new connection to the daemon.
    func connect(name: String = "lorad-e2e") throws -> LoradConnection {
        try LoradConnection.connect(path: socketPath, name: name)
    }

    /// The number of descriptors the daemon has open (entries of /proc/PID/fd).
    func openDescriptorCount() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(30), _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Sends SIGTERM and waits (up to `timeout`) for the process to exit. Returns the exit
    /// status; throws when it did not exit in time, died of a signal, or left its socket.
    @discardableResult
    func stop(timeout: Duration = .seconds(60)) throws -> Int32 {
        kill(pid, SIGTERM)
        guard eventually(timeout: timeout, { !process.isRunning }) else {
            throw EndToEndFailure("lorad did not exit within \(timeout) of SIGTERM; log:\n\(log)")
        }
        guard process.terminationReason == .exit else {
            throw EndToEndFailure("lorad died of signal \(process.terminationStatus); log:\n\(log)")
        }
        guard !FileStatus.exists(socketPath) else {
            throw EndToEndFailure("lorad exited but left its socket \(socketPath) behind")
        }
        return process.terminationStatus
    }
}
