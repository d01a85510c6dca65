import Foundation
import Glibc
import Logging
import LoradServer
import LoradSystem
import Synchronization

/// A Server on a temp socket path, running on its own thread.
public final class ServerHarness<Handler: RequestHandling>: Sendable {
    public let folder: String
    public let path: String
    public let server: Server
    public let handler: Handler
    private let outcome = Mutex<Result<Void, ServerError>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// Creates and starts a server; `configure` adjusts the settings (path listener,
    /// access: the test's own uid only, short timeouts).
    public init(handler: Handler, configure: (inout ServerSettings) -> Void = { _ in }) throws {
        folder = try DurableFile.makeTemporaryDirectory(prefix: "lorad-server-tests-")
        chmod(folder, 0o755)
        path = folder + "/lorad.sock"
        var settings = ServerSettings(
            listener: .path(path, mode: 0o666), access: AccessPolicy(daemonUID: geteuid()),
            connection: ConnectionSettings(serverName: "lorad/test", handshakeTimeout: .seconds(10)),
            closeLinger: .milliseconds(500))
        configure(&settings)
        self.handler = handler
        server = try Server(settings: settings, handler: handler, logger: quietLogger)
        Thread.detachNewThread { [self] in
            let result = Result { () throws(ServerError) in try server.run() }
            outcome.withLock { $0 = result }
            finished.signal()
        }
    }

    /// A connected client.
    public func client() throws -> TestClient { try TestClient(path: path) }

    /// A connected client that has finished HELLO.
    public func readyClient() throws -> TestClient {
        let client = try client()
        try client.hello()
        return client
    }

    /// Stops the server and waits (up to 10 s) for `run()` to return; returns its outcome.
    @discardableResult
    public func stop(grace: Duration = .zero, reason: String = "test over") -> Result<Void, ServerError>? {
        server.stop(grace: grace, reason: reason)
        return waitForExit()
    }

    /// Waits (up to 10 s) for `run()` to return.
    public func waitForExit(timeout: Double = 10) -> Result<Void, ServerError>? {
        guard finished.wait(timeout: .now() + timeout) == .success else { return nil }
        finished.signal()
        return outcome.withLock { $0 }
    }

    public var hasExited: Bool { outcome.withLock { $0 != nil } }

    public func cleanup() {
        if !hasExited { stop() }
        try? DurableFile.removeTree(folder)
    }
}

extension ServerHarness where Handler == FakeHandler {
    /// A harness with a fresh ``FakeHandler``.
    public convenience init(configure: (inout ServerSettings) -> Void = { _ in }) throws {
        try self.init(handler: FakeHandler(), configure: configure)
    }
}

/// The number of open descriptors of this process.
public func openDescriptorCount() -> Int {
    (try? DurableFile.listDirectory("/proc/self/fd").count) ?? -1
}

/// The number of open descriptors of this process that refer to a file below `folder`.
public func openDescriptorCount(under folder: String) -> Int {
    let entries = (try? DurableFile.listDirectory("/proc/self/fd")) ?? []
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    return entries.count { entry in
        let length = readlink("/proc/self/fd/" + entry, &buffer, buffer.count - 1)
        guard length > 0 else { return false }
        let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.hasPrefix(folder + "/")
    }
}

/// Polls `condition` every millisecond for up to `timeout`; returns whether it came true.
public func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}

/// A logger that shows only errors, to keep test output readable.
public let quietLogger: Logger = {
    var logger = Logger(label: "lorad.server.tests")
    logger.logLevel = .error
    return logger
}()
