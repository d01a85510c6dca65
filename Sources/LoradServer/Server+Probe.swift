import Dispatch

extension Server {
    /// Proves the event loop is turning: schedules a no-op on the loop thread and waits up
    /// to `timeout` for it to run. Returns `true` when it ran, `false` when the loop is
    /// stuck (or busy longer than `timeout`), not yet running, or finished.
    ///
    /// Blocks the calling thread for at most `timeout`; never call it on the loop thread
    /// (for example from a handler method), which would always time out.
    public func probe(timeout: Duration) -> Bool {
        let ran = DispatchSemaphore(value: 0)
        guard mailbox.postProbe({ ran.signal() }) else { return false }
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = Int(clamping: seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let wait: DispatchTimeInterval =
            nanoseconds.overflow ? .never : .nanoseconds(nanoseconds.partialValue &+ Int(attoseconds / 1_000_000_000))
        return ran.wait(timeout: .now() + wait) == .success
    }
}
