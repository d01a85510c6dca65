import LoradServer
import LoradSystem
import LoradWire
import Synchronization
import Testing

@testable import LoradDaemon

/// A ``DaemonCore`` over a fresh store in a scratch folder, driven directly (no sockets).
final class CoreHarness: Sendable {
    let core: DaemonCore
    private let folder: ScratchFolder
    private let nextRequest = Atomic<UInt32>(1)

    /// An administrator on connection 1.
    static let admin = PeerContext(connectionID: 1, pid: 100, uid: 0, gid: 0, isAdmin: true)
    /// A user on connection 2.
    static let user = PeerContext(connectionID: 2, pid: 200, uid: 1000, gid: 1000, isAdmin: false)

    init(
        budget: Int = 64 << 20, threads: Int = 2, sessionsPerUID: Int = 8,
        outputStallTimeout: Duration = .seconds(60), workersPerUID: Int = 0
    ) throws {
        folder = try ScratchFolder()
        var options = CoreOptions(memoryBudget: budget, threads: threads, sessionsPerUID: sessionsPerUID)
        options.outputStallTimeout = outputStallTimeout
        options.workersPerUID = workersPerUID
        core = try DaemonCore(storeRoot: folder.path + "/store", options: options)
    }

    /// A path in the harness's scratch folder.
    func scratchPath(_ name: String) -> String { folder.path + "/" + name }

    /// Loads bases and waits until each is ready or failed; returns the failures by name.
    @discardableResult
    func loadBases(_ bases: [(name: String, path: String)]) async -> [String: String] {
        let failures = Mutex<[String: String]>([:])
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let remaining = Atomic<Int>(bases.count)
            core.loadBases(bases) { name, error in
                if let error { failures.withLock { $0[name] = error } }
                if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { continuation.resume() }
            }
        }
        return failures.withLock { $0 }
    }

    /// Loads the fixture base as `tiny`.
    func loadFixtureBase() async throws {
        let failures = await loadBases([("tiny", CoreFixtures.basePath)])
        #expect(failures.isEmpty)
        #expect(core.baseState("tiny") == .ready)
    }

    /// Sends one request and waits for its reply.
    func call(_ request: ClientMessage, fds: [FileDescriptor] = [], peer: PeerContext = CoreHarness.admin) async -> HandlerReply {
        let id = nextRequest.wrappingAdd(1, ordering: .relaxed).oldValue
        return await withCheckedContinuation { continuation in
            core.handle(request, requestID: id, fds: OwnedDescriptors(fds), peer: peer) { continuation.resume(returning: $0) }
        }
    }

    /// Imports the fixture adapter folder `fixture` as `name`, passing every file in it.
    func importFixture(_ fixture: String, as name: String, newVersion: Bool = false, base: String? = nil) async throws -> HandlerReply {
        let folderPath = CoreFixtures.path(fixture)
        let names = try DurableFile.listDirectory(folderPath)
        var fds: [FileDescriptor] = []
        var files: [ImportFile] = []
        for file in names {
            let fd = try FileDescriptor.open(folderPath + "/" + file, .readOnly)
            fds.append(fd)
            files.append(ImportFile(fileName: file, fd: fd.rawValue))
        }
        let request = ImportRequest(name: name, files: files, alpha: nil, base: base, description: "from \(fixture)", tags: ["test"], newVersion: newVersion)
        return await call(.importAdapter(request), fds: fds)
    }
}

/// A reply that was not the one expected.
struct UnexpectedReply: Error, CustomStringConvertible {
    var message: ServerMessage
    var description: String { "unexpected reply \(message)" }
}

extension HandlerReply {
    /// The SessionReply of a session request.
    func session() throws -> SessionReply {
        switch message {
        case .openSession(let reply), .attach(let reply), .detach(let reply), .switchAdapters(let reply), .getSegments(let reply):
            return reply
        default:
            throw UnexpectedReply(message: message)
        }
    }

    /// The error code, nil for a normal reply.
    var errorCode: ErrorCode? {
        if case .error(let payload) = message { return payload.code }
        return nil
    }
}

/// A weighted adapter on the wire.
func weighted(_ name: String, _ weight: Double) -> LoradWire.WeightedAdapter {
    LoradWire.WeightedAdapter(adapter: AdapterRef(name: name), weight: weight)
}
