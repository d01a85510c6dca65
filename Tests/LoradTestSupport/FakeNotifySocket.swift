import Foundation
import LoradSystem

/// A fake `$NOTIFY_SOCKET`: a bound datagram socket that collects what a `SystemdNotifier`
/// sends, for the tests of the systemd glue and of the daemon's fd store.
public struct FakeNotifySocket {
    /// The socket's address: a path in the temporary folder, or an `@abstract` name.
    public let address: String
    /// The bound socket.
    public let socket: UnixDatagramSocket

    /// Binds a fresh socket with a unique name (abstract when `abstract`).
    public init(abstract: Bool = false) throws {
        let name = "lorad-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        address = abstract ? "@\(name)" : NSTemporaryDirectory() + name + ".sock"
        socket = try UnixDatagramSocket.bind(address: address)
    }

    /// The next datagram as text, nil after `timeout` milliseconds.
    public func next(timeout: Int32 = 2000) throws -> String? {
        try socket.receive(timeoutMilliseconds: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The next datagram as text with the descriptors that came with it, nil after
    /// `timeout` milliseconds. The caller owns the descriptors.
    public func nextWithDescriptors(timeout: Int32 = 2000) throws -> (text: String, fds: [FileDescriptor])? {
        try socket.receiveWithDescriptors(timeoutMilliseconds: timeout).map { (String(decoding: $0.bytes, as: UTF8.self), $0.fds) }
    }

    /// Closes the socket and removes its file.
    public func close() {
        try? socket.close()
        if !address.hasPrefix("@") { unlink(address) }
    }
}
