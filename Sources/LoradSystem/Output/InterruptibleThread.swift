import CLinux

/// A thread whose blocking system call another thread can interrupt.
///
/// A thread that may block on something it does not control (a write into a client's pipe)
/// runs that call inside ``withInterruptsAllowed(_:)``; another thread that decides the call
/// has waited long enough calls ``interrupt()``: the kernel then ends the call with `EINTR`
/// (or with what it did so far, a short write). The mechanism is a real-time signal
/// (`SIGRTMIN + 5`) whose handler does nothing and is installed without `SA_RESTART`. It is
/// only ever sent to one thread (`pthread_kill`), and ``withInterruptsAllowed(_:)`` unblocks
/// it for its call only and blocks it again afterwards (on any thread), so a signal that
/// arrives late stays pending and is later consumed by the handler without interrupting
/// anything. A signal sent just before the call starts is consumed the same way and the
/// call then blocks: the interrupting side repeats ``interrupt()`` until the call has
/// returned.
///
/// A call that sleeps uninterruptibly (a write to a FUSE or NFS file waiting for its server,
/// a local disk write) is not shortened; such descriptors are refused before writing.
public struct InterruptibleThread: Sendable, Hashable {
    private let thread: UInt

    private init(thread: UInt) { self.thread = thread }

    /// The calling thread. Valid for ``interrupt()`` while that thread runs.
    /// - Throws: ``SystemError`` when the signal's handler cannot be installed.
    public static func current() throws(SystemError) -> InterruptibleThread {
        if clinux_wakeup_install() != 0 { throw SystemError.current("sigaction(SIGRTMIN+5)") }
        return InterruptibleThread(thread: UInt(clinux_thread_self()))
    }

    /// Interrupts the thread's blocking call, if it is inside ``withInterruptsAllowed(_:)``
    /// (else the signal waits, blocked, and is consumed by the next such call without effect).
    /// Call it only while the thread runs.
    public func interrupt() {
        _ = clinux_wakeup_thread(thread)
    }

    /// Runs `body` with the interrupting signal deliverable on the calling thread, so that
    /// ``interrupt()`` ends a blocking call in `body` with `EINTR`. `body` must handle
    /// `EINTR` from every call it makes (the wrappers of ``FileDescriptor`` retry it; use
    /// ``FileDescriptor/writeOnce(_:)`` and ``FileDescriptor/waitUntilWritable(timeout:)``,
    /// which do not).
    public static func withInterruptsAllowed<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        var wasBlocked: Int32 = 0
        let unblocked = clinux_wakeup_unblock(&wasBlocked) == 0
        // Blocked again even where it was not: a late signal must wait for the next call.
        defer { if unblocked { _ = clinux_wakeup_restore(1) } }
        return try body()
    }
}
