import Foundation
import Synchronization
import LoradSystem
import LoradWire

/// A stand-in for lorad on a temp socket path: it accepts `connections` clients one after
/// another, answers HELLO itself and every other request with `answer`, on a thread of its
/// own. Lets the loractl binary's online commands run without the daemon.
final class ScriptedDaemon: Sendable {
    /// The socket path to pass with `--socket`.
    let path: String
    private let folder: String
    private let finished = DispatchSemaphore(value: 0)
    private let requests = Shared<[ClientMessage]>([])

    /// Starts listening; `answer` gets each request with the descriptors it carried (closed
    /// afterwards) and returns the reply and the descriptors the reply names (closed after
    /// sending).
    init(connections: Int = 1, answer: @escaping @Sendable (ClientMessage, [FileDescriptor]) throws -> (ServerMessage, [FileDescriptor])) throws {
        folder = try DurableFile.makeTemporaryDirectory(prefix: "loractl-daemon-")
        path = folder + "/lorad.sock"
        let listener = try UnixSocket.listen(path: path)
        try listener.setNonBlocking(false)
        let finished = self.finished
        let requests = self.requests
        Thread {
            defer {
                try? listener.close()
                finished.signal()
            }
            for _ in 0..<connections {
                guard case .completed(let accepted)? = try? listener.accept() else { return }
                try? accepted.socket.setNonBlocking(false)
                Self.serve(accepted.socket, requests: requests, answer: answer)
                try? accepted.socket.close()
            }
        }.start()
    }

    /// Waits until every connection was served and returns the requests seen (HELLO excluded).
    func finish() -> [ClientMessage] {
        finished.wait()
        try? DurableFile.removeTree(folder)
        return requests.withLock { $0 }
    }

    private static func serve(
        _ socket: UnixSocket, requests: Shared<[ClientMessage]>,
        answer: @Sendable (ClientMessage, [FileDescriptor]) throws -> (ServerMessage, [FileDescriptor])
    ) {
        var decoder = FrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            guard let frame = try? decoder.nextFrame() else {
                let outcome = try? buffer.withUnsafeMutableBytes { try socket.receive(into: $0, maxFDs: 16) }
                guard case .completed(let chunk)? = outcome, chunk.byteCount > 0 else { return }
                decoder.feed(buffer[0..<chunk.byteCount], fds: chunk.fds.map(\.rawValue))
                continue
            }
            let fds = frame.fds.map(FileDescriptor.init(rawValue:))
            defer { for fd in fds { try? fd.close() } }
            guard let message = try? ClientMessage(decoding: frame) else { return }
            let reply: ServerMessage
            var replyFDs: [FileDescriptor] = []
            if case .hello = message {
                reply = .hello(HelloReply(
                    version: .current, serverName: "scripted/1", maxFrameBytes: 65536, maxFDsPerFrame: 64, maxRequestsInFlight: 8))
            } else {
                requests.withLock { $0.append(message) }
                do {
                    (reply, replyFDs) = try answer(message, fds)
                } catch {
                    reply = .error(ErrorPayload(code: .internal, message: "scripted daemon: \(error)"))
                }
            }
            defer { for fd in replyFDs { try? fd.close() } }
            guard let encoded = try? reply.encode(requestID: frame.header.requestID),
                (try? socket.sendAll(encoded.bytes, fds: encoded.fds.map(FileDescriptor.init(rawValue:)))) != nil
            else { return }
        }
    }
}

/// A safetensors file: one F32 tensor `name` of `values`, and `metadata`.
func safetensors(_ name: String, _ values: [Float], metadata: [String: String] = [:]) -> [UInt8] {
    var fields: [String] = []
    if !metadata.isEmpty {
        let entries = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
        fields.append("\"__metadata__\":{\(entries.joined(separator: ","))}")
    }
    fields.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(values.count)],\"data_offsets\":[0,\(values.count * 4)]}")
    var header = Array("{\(fields.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
    bytes += header
    for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
    return bytes
}

private func jsonString(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// A sealed memfd holding `bytes`, like a lorad segment.
func segment(_ bytes: [UInt8]) throws -> FileDescriptor {
    let fd = try Memfd.create(name: "loractl-test")
    try fd.write(bytes)
    try Memfd.addSeals(.immutable, to: fd)
    return fd
}

/// A value shared between threads behind a lock (a class, so closures can capture it).
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` on the value while holding the lock.
    func withLock<T: Sendable>(_ body: (inout Value) throws -> T) rethrows -> T {
        try mutex.withLock { try body(&$0) }
    }
}
