import CLinux
import Glibc

/// An epoll instance: tells which registered descriptors are ready.
///
/// A thin, copyable wrapper over the epoll descriptor; call ``close()`` exactly
/// once. Each registration carries a caller-chosen `UInt64` token that comes
/// back with its events (a connection id, an index: never a pointer the loop
/// might free). Level-triggered unless ``Interest/edgeTriggered`` is given.
/// Registering and waiting from different threads is safe (the kernel locks).
public struct Epoll: Sendable, Hashable {
    /// The epoll descriptor itself (close-on-exec); it can be polled too.
    public let fileDescriptor: FileDescriptor

    /// The readiness a registration asks for, and the readiness an event reports.
    public struct Interest: OptionSet, Sendable, Hashable, CustomStringConvertible {
        /// The raw `EPOLL*` bits.
        public var rawValue: UInt32
        /// Makes an interest set from raw `EPOLL*` bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// `EPOLLIN`: bytes (or end of stream, or a pending connection) to read.
        public static let readable = Interest(rawValue: clinux_epoll_in)
        /// `EPOLLOUT`: room in the send buffer.
        public static let writable = Interest(rawValue: clinux_epoll_out)
        /// `EPOLLRDHUP`: the peer shut down its sending side (end of stream ahead).
        public static let readHangup = Interest(rawValue: clinux_epoll_rdhup)
        /// `EPOLLPRI`: urgent data (unused by AF_UNIX; for completeness).
        public static let priority = Interest(rawValue: clinux_epoll_pri)
        /// `EPOLLHUP`: both directions are closed. Always reported; asking is optional.
        public static let hangup = Interest(rawValue: clinux_epoll_hup)
        /// `EPOLLERR`: an error is pending on the descriptor. Always reported.
        public static let error = Interest(rawValue: clinux_epoll_err)
        /// `EPOLLET`: report only changes; the caller must then read/write until
        /// ``SocketOutcome/wouldBlock`` every time.
        public static let edgeTriggered = Interest(rawValue: clinux_epoll_et)
        /// `EPOLLONESHOT`: disarm after one event, until ``Epoll/modify(_:interest:token:)``.
        public static let oneShot = Interest(rawValue: clinux_epoll_oneshot)

        /// `readable|hangup`, for example.
        public var description: String {
            let names: [(Interest, String)] = [
                (.readable, "readable"), (.writable, "writable"), (.readHangup, "readHangup"),
                (.priority, "priority"), (.hangup, "hangup"), (.error, "error"),
                (.edgeTriggered, "edgeTriggered"), (.oneShot, "oneShot"),
            ]
            let known = names.filter { contains($0.0) }.map(\.1)
            let rest = subtracting(Interest(names.map(\.0)))
            let parts = rest.isEmpty ? known : known + ["0x" + String(rest.rawValue, radix: 16)]
            return parts.isEmpty ? "none" : parts.joined(separator: "|")
        }
    }

    /// One readiness report.
    public struct Event: Sendable, Hashable {
        /// The token given when the descriptor was registered.
        public var token: UInt64
        /// What is ready (``Interest/hangup`` and ``Interest/error`` may appear
        /// without having been asked for).
        public var ready: Interest

        /// Makes an event (for tests and fakes).
        public init(token: UInt64, ready: Interest) {
            self.token = token
            self.ready = ready
        }
    }

    /// The most events one ``wait(timeout:into:maxEvents:)`` returns (256).
    public static let maximumEventsPerWait = Int(clinux_epoll_max_events)

    /// Creates an epoll instance (close-on-exec).
    ///
    /// The corresponding C function is `epoll_create1` with `EPOLL_CLOEXEC`.
    /// - Throws: ``SystemError`` (`EMFILE`, `ENOMEM`).
    public init() throws(SystemError) {
        fileDescriptor = FileDescriptor(rawValue: try retryingInterrupts("epoll_create1") { clinux_epoll_create() })
    }

    /// Wraps an existing epoll descriptor.
    public init(fileDescriptor: FileDescriptor) { self.fileDescriptor = fileDescriptor }

    /// Closes the epoll instance (registrations go with it).
    ///
    /// The corresponding C function is `close`.
    public func close() throws(SystemError) { try fileDescriptor.close() }

    /// Starts watching `fd` for `interest`; its events will carry `token`.
    ///
    /// The corresponding C function is `epoll_ctl` with `EPOLL_CTL_ADD`.
    /// - Throws: ``SystemError``: `EEXIST` (already registered), `EPERM` (a
    ///   regular file or folder: those cannot be polled), `EBADF`.
    public func add(_ fd: FileDescriptor, interest: Interest, token: UInt64) throws(SystemError) {
        try control(clinux_epoll_ctl_add, "epoll_ctl(ADD)", fd, interest, token)
    }

    /// Replaces the interest set and token of a registered `fd` (and re-arms a
    /// ``Interest/oneShot`` registration).
    ///
    /// The corresponding C function is `epoll_ctl` with `EPOLL_CTL_MOD`.
    /// - Throws: ``SystemError`` `ENOENT` when `fd` is not registered.
    public func modify(_ fd: FileDescriptor, interest: Interest, token: UInt64) throws(SystemError) {
        try control(clinux_epoll_ctl_mod, "epoll_ctl(MOD)", fd, interest, token)
    }

    /// Stops watching `fd`. Closing a descriptor also removes it, unless a
    /// duplicate of it is still open: remove before closing.
    ///
    /// The corresponding C function is `epoll_ctl` with `EPOLL_CTL_DEL`.
    /// - Throws: ``SystemError`` `ENOENT` when `fd` is not registered.
    public func remove(_ fd: FileDescriptor) throws(SystemError) {
        try control(clinux_epoll_ctl_del, "epoll_ctl(DEL)", fd, [], 0)
    }

    /// Waits until a registered descriptor is ready or `timeout` passes, and
    /// replaces the contents of `events` with the reports (empty on timeout).
    ///
    /// `events` keeps its capacity, so a loop that reuses one array does not
    /// allocate. A signal interrupting the wait (`EINTR`) also returns with no
    /// events: the caller's loop recomputes its deadlines and waits again.
    ///
    /// The corresponding C function is `epoll_wait`.
    /// - Parameters:
    ///   - timeout: how long to wait at most, rounded up to whole milliseconds
    ///     (and capped at about 24 days); nil waits forever, zero polls.
    ///   - events: receives the events.
    ///   - maxEvents: the most events to return, 1...``maximumEventsPerWait``
    ///     (larger values are capped); the rest wait for the next call.
    /// - Throws: ``SystemError`` (`EBADF`, `EINVAL` for `maxEvents` < 1).
    public func wait(timeout: Duration?, into events: inout [Event], maxEvents: Int = 64) throws(SystemError) {
        events.removeAll(keepingCapacity: true)
        guard maxEvents >= 1 else {
            throw SystemError(errno: EINVAL, operation: "epoll_wait (maxEvents \(maxEvents) must be at least 1)")
        }
        let capacity = min(maxEvents, Epoll.maximumEventsPerWait)
        let milliseconds = Epoll.milliseconds(timeout)
        let raw = fileDescriptor.rawValue
        let count = withUnsafeTemporaryAllocation(of: clinux_epoll_event.self, capacity: capacity) { buffer in
            let count = clinux_epoll_wait(raw, buffer.baseAddress, Int32(capacity), milliseconds)
            if count > 0 {
                for entry in buffer.prefix(Int(count)) {
                    events.append(Event(token: entry.token, ready: Interest(rawValue: entry.events)))
                }
            }
            return count
        }
        if count == -1, Glibc.errno != EINTR { throw SystemError.current("epoll_wait") }
    }

    /// `timeout` as `epoll_wait` wants it: -1 for nil, milliseconds rounded up
    /// (so a wait never ends before its deadline), capped at `Int32.max`.
    static func milliseconds(_ timeout: Duration?) -> Int32 {
        guard let timeout else { return -1 }
        if timeout <= .zero { return 0 }
        let (seconds, attoseconds) = timeout.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let fraction = (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow, whole <= Int64(Int32.max) - fraction else { return Int32.max }
        return Int32(whole + fraction)
    }

    private func control(_ operation: Int32, _ name: String, _ fd: FileDescriptor, _ interest: Interest, _ token: UInt64) throws(SystemError) {
        let raw = fileDescriptor.rawValue
        _ = try retryingInterrupts("\(name) \(fd)") { clinux_epoll_ctl(raw, operation, fd.rawValue, interest.rawValue, token) }
    }
}
