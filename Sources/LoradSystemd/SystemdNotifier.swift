import Glibc
import LoradSystem

/// Sends ``SystemdNotification``s to systemd's notification socket, like `sd_notify(3)`.
///
/// Without a socket (`$NOTIFY_SOCKET` unset: not started by systemd, or not
/// `Type=notify`) every call does nothing and returns `false`, so callers never need to
/// ask whether they run under systemd. Sending never throws: a failed send is reported
/// by the `false` result and the daemon carries on.
///
/// ```swift
/// let notifier = SystemdNotifier()          // reads $NOTIFY_SOCKET
/// notifier.notify(.ready, .status("2 bases ready"))
/// ```
public struct SystemdNotifier: Sendable {
    /// Where datagrams go: a path or an `@abstract` name; `nil` when disabled.
    public let socketAddress: String?

    /// A notifier for `socketAddress`; by default `$NOTIFY_SOCKET` (empty counts as unset).
    public init(socketAddress: String? = SystemdNotifier.environmentSocket()) {
        self.socketAddress = socketAddress.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// True when a notification socket is configured.
    public var isEnabled: Bool { socketAddress != nil }

    /// The value of `$NOTIFY_SOCKET`, `nil` when unset.
    public static func environmentSocket() -> String? {
        getenv("NOTIFY_SOCKET").map { String(cString: $0) }
    }

    /// Sends `notifications` as one datagram (their lines joined by newlines, which systemd
    /// applies together). Returns `true` when the datagram was sent, `false` when the
    /// notifier is disabled, nothing was given, or the send failed (``send(_:)`` throws
    /// the error instead).
    @discardableResult
    public func notify(_ notifications: SystemdNotification...) -> Bool {
        notify(notifications)
    }

    /// Sends `notifications` as one datagram; see the variadic form.
    @discardableResult
    public func notify(_ notifications: [SystemdNotification]) -> Bool {
        (try? send(notifications)) ?? false
    }

    /// Sends `notifications` as one datagram, with `fds` attached (`SCM_RIGHTS`, like
    /// `sd_pid_notify_with_fds(3)`; for ``SystemdNotification/fdStore(name:)``), and returns
    /// `true`, or `false` when the notifier is disabled or the list is empty. The
    /// descriptors stay open and owned by the caller.
    ///
    /// - Throws: ``SystemError`` when the socket cannot be made or `sendto`/`sendmsg` fails
    ///   (`ENOENT`/`ECONNREFUSED`: nobody listens at ``socketAddress``).
    public func send(_ notifications: [SystemdNotification], fds: [FileDescriptor] = []) throws(SystemError) -> Bool {
        guard let socketAddress, !notifications.isEmpty else { return false }
        let text = notifications.map(\.line).joined(separator: "\n") + "\n"
        let socket = try UnixDatagramSocket.make()
        // Closed below, or when a send throws.
        let ownsSocket = OwnedFileDescriptor(socket.fileDescriptor)
        if fds.isEmpty {
            try socket.send(Array(text.utf8), to: socketAddress)
        } else {
            try socket.send(Array(text.utf8), fds: fds, to: socketAddress)
        }
        try ownsSocket.close()
        return true
    }
}
