import Dispatch
import LoradWire
import Synchronization

/// Runs independent jobs concurrently on the cores and collects their results in order.
enum ParallelWork {
    /// Calls `body` for every index in `0..<count` (concurrently when `count > 1`).
    /// - Returns: the results in index order.
    static func map<Output: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> Output) -> [Result<Output, any Error>] {
        guard count > 1 else { return (0..<max(0, count)).map { index in Result { try body(index) } } }
        let results = Mutex<[Result<Output, any Error>?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result = Result { try body(index) }
            results.withLock { $0[index] = result }
        }
        return results.withLock { slots in
            slots.map { $0 ?? .failure(DaemonBug("a parallel job did not run")) }
        }
    }

    /// Like ``map(_:_:)`` but throws the first failure in index order.
    static func mapThrowing<Output: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> Output) throws -> [Output] {
        try map(count, body).map { try $0.get() }
    }
}
