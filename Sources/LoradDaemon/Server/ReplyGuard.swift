import Synchronization

/// Makes a handler's `reply` closure effective once: a second call (a handler bug) must not
/// answer a later request that reuses the id.
final class ReplyGuard: Sendable {
    private let used = Atomic<Bool>(false)

    init() {}

    /// True for the first call only.
    func claim() -> Bool {
        used.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
    }
}
