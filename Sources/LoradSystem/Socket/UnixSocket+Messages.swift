import CLinux
import Glibc

extension UnixSocket {
    /// Sends bytes, with descriptors attached to the first of them
    /// (`SCM_RIGHTS`); returns how many bytes the kernel took.
    ///
    /// A non-blocking socket may take only some of the bytes: the descriptors
    /// have then been sent, with the first byte, and the caller must send the
    /// rest **without** them (never resend descriptors). ``SocketOutcome/wouldBlock``
    /// means nothing at all was sent, descriptors included. The descriptors stay
    /// open here and owned by the caller; the peer gets its own copies. A closed
    /// peer gives `EPIPE`, never `SIGPIPE` (`MSG_NOSIGNAL`).
    ///
    /// The corresponding C function is `sendmsg`.
    /// - Throws: ``SystemError``: `EPIPE`/`ECONNRESET` (peer gone), `EINVAL`
    ///   (more than ``maximumFDsPerMessage`` descriptors, or descriptors with
    ///   no bytes, which a stream socket cannot carry), `EBADF` (a descriptor
    ///   is not open), `ETOOMANYREFS` (descriptors in flight nest too deep).
    public func send(_ bytes: UnsafeRawBufferPointer, fds: [FileDescriptor] = []) throws(SystemError) -> SocketOutcome<Int> {
        guard fds.count <= UnixSocket.maximumFDsPerMessage else {
            throw SystemError(errno: EINVAL, operation: "sendmsg (\(fds.count) descriptors, at most \(UnixSocket.maximumFDsPerMessage) per message: split the message)")
        }
        guard fds.isEmpty || bytes.count > 0 else {
            throw SystemError(errno: EINVAL, operation: "sendmsg (descriptors must travel with at least one byte)")
        }
        let raw = fileDescriptor.rawValue
        let numbers = fds.map(\.rawValue)
        while true {
            let sent = numbers.withUnsafeBufferPointer { list in
                clinux_send_with_fds(raw, bytes.baseAddress, bytes.count, list.baseAddress, Int32(list.count))
            }
            if sent >= 0 { return .completed(sent) }
            let code = Glibc.errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SystemError(errno: code, operation: "sendmsg")
            }
        }
    }

    /// Sends bytes (see ``send(_:fds:)``) from an array.
    ///
    /// The corresponding C function is `sendmsg`.
    public func send(_ bytes: [UInt8], fds: [FileDescriptor] = []) throws(SystemError) -> SocketOutcome<Int> {
        let outcome = bytes.withUnsafeBytes { raw in
            Result { () throws(SystemError) in try send(raw, fds: fds) }
        }
        return try outcome.get()
    }

    /// Sends all of `bytes` on a **blocking** socket, looping on short sends;
    /// `fds` travel with the first byte, once. For clients; an event loop uses
    /// ``send(_:fds:)`` and keeps the unsent rest itself.
    ///
    /// The corresponding C function is `sendmsg`.
    /// - Throws: ``SystemError`` as ``send(_:fds:)``, and `EAGAIN` when the
    ///   socket turns out to be non-blocking (then some bytes, and the
    ///   descriptors, may already be sent: the stream is unusable).
    public func sendAll(_ bytes: [UInt8], fds: [FileDescriptor] = []) throws(SystemError) {
        let outcome = bytes.withUnsafeBytes { raw in
            Result { () throws(SystemError) in
                var done = 0
                var pending = fds
                while done < raw.count || !pending.isEmpty {
                    let rest = UnsafeRawBufferPointer(rebasing: raw[done...])
                    guard case .completed(let count) = try send(rest, fds: pending) else {
                        throw SystemError(errno: EAGAIN, operation: "sendmsg (sendAll needs a blocking socket)")
                    }
                    done += count
                    pending = []
                }
            }
        }
        try outcome.get()
    }

    /// Receives up to `buffer.count` bytes and up to `maxFDs` descriptors that
    /// arrived with them.
    ///
    /// ``ReceivedMessage/byteCount`` 0 means end of stream. Received descriptors
    /// are close-on-exec (`MSG_CMSG_CLOEXEC`) and owned by the caller, also when
    /// ``ReceivedMessage/controlTruncated`` is true (more descriptors came than
    /// `maxFDs`: the extra ones are closed here).
    ///
    /// Descriptors arrive in the call that returns the first byte of the send
    /// that carried them, and the kernel ends that call within that send's
    /// bytes: one call returns the descriptors of at most one send, the last
    /// send whose first byte is in this call (bytes of earlier sends without
    /// descriptors may precede it). So if a sender attaches descriptors to a
    /// send that starts at the first byte of the frame naming them, the receiver
    /// gives them to the last frame that starts in this call's bytes.
    ///
    /// ``SocketOutcome/wouldBlock`` on a non-blocking socket with nothing to read.
    ///
    /// The corresponding C function is `recvmsg`.
    /// - Parameters:
    ///   - buffer: where the bytes go; must not be empty (0 would mean end of stream).
    ///   - maxFDs: how many descriptors to accept, 0...``maximumFDsPerMessage``.
    /// - Throws: ``SystemError``: `EINVAL` (empty buffer, `maxFDs` out of range),
    ///   `ECONNRESET` (the peer closed with unread data). A process out of
    ///   descriptor numbers gets no error: the kernel drops the descriptors that
    ///   do not fit and ``ReceivedMessage/controlTruncated`` is true.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, maxFDs: Int = 0) throws(SystemError) -> SocketOutcome<ReceivedMessage> {
        guard buffer.count > 0 else {
            throw SystemError(errno: EINVAL, operation: "recvmsg (empty buffer: give room for at least one byte)")
        }
        guard maxFDs >= 0, maxFDs <= UnixSocket.maximumFDsPerMessage else {
            throw SystemError(errno: EINVAL, operation: "recvmsg (maxFDs \(maxFDs) is outside 0...\(UnixSocket.maximumFDsPerMessage))")
        }
        let raw = fileDescriptor.rawValue
        return try withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(maxFDs, 1)) {
            (numbers) throws(SystemError) -> SocketOutcome<ReceivedMessage> in
            var count: Int32 = 0
            var truncated: Int32 = 0
            while true {
                let received = clinux_recv_with_fds(
                    raw, buffer.baseAddress, buffer.count, numbers.baseAddress, Int32(maxFDs), &count, &truncated)
                if received >= 0 {
                    let fds = numbers.prefix(Int(count)).map { FileDescriptor(rawValue: $0) }
                    return .completed(ReceivedMessage(byteCount: received, fds: fds, controlTruncated: truncated != 0))
                }
                let code = Glibc.errno
                switch code {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return .wouldBlock
                default: throw SystemError(errno: code, operation: "recvmsg")
                }
            }
        }
    }
}
