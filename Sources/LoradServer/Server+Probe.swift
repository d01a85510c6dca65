import Dispatch
import LoradSystem

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
        let nanoseconds = timeout.whole(.nanoseconds)
        let wait: DispatchTimeInterval = nanoseconds > UInt64(Int.max) ? .never : .nanoseconds(Int(nanoseconds))
        return ran.wait(timeout: .now() + wait) == .success
    }
}
