import Dispatch
import Synchronization

/// Runs independent jobs on all cores and collects their results in index order: the pack
/// codec's per-tensor work (LoradStore), the daemon's segment builds and adapter loads.
public enum Parallel {
    /// Calls `body` for every index in `0..<count`, concurrently when `count > 1` (one job
    /// runs on the calling thread), and returns the results in index order (empty for
    /// `count <= 0`).
    ///
    /// Workers pull indices from a shared counter, so each Dispatch worker thread makes one
    /// `State` with `makeState` (lazily, on its first job) and reuses it for every job it
    /// runs: a zstd context is made once per thread, not once per job. `State` never leaves
    /// the thread that made it. A failing `makeState` fails the job that needed it; the
    /// worker tries again on its next job.
    ///
    /// - Parameter missing: the failure recorded for an index no worker ran. Every index
    ///   runs (each worker pulls until the counter passes `count`), so this is a safety net
    ///   that keeps the result one per index without trapping.
    public static func map<State, Output: Sendable, Failure: Error>(
        count: Int,
        missing: @autoclosure () -> Failure,
        makeState: @Sendable () throws(Failure) -> State,
        _ body: @Sendable (inout State, Int) throws(Failure) -> Output
    ) -> [Result<Output, Failure>] {
        guard count > 0 else { return [] }
        let next = Atomic<Int>(0)
        let results = Mutex<[Result<Output, Failure>?]>(Array(repeating: nil, count: count))
        if count == 1 {
            work(next: next, count: count, results: results, makeState: makeState, body)
        } else {
            DispatchQueue.concurrentPerform(iterations: count) { _ in
                work(next: next, count: count, results: results, makeState: makeState, body)
            }
        }
        return results.withLock { slots in slots.map { $0 ?? .failure(missing()) } }
    }

    /// ``map(count:missing:makeState:_:)`` for jobs without per-worker state.
    public static func map<Output: Sendable, Failure: Error>(
        count: Int, missing: @autoclosure () -> Failure, _ body: @Sendable (Int) throws(Failure) -> Output
    ) -> [Result<Output, Failure>] {
        map(count: count, missing: missing(), makeState: { () throws(Failure) in }) { (_: inout Void, index: Int) throws(Failure) -> Output in
            try body(index)
        }
    }

    /// One worker: runs jobs until the counter passes `count`.
    private static func work<State, Output: Sendable, Failure: Error>(
        next: borrowing Atomic<Int>, count: Int, results: borrowing Mutex<[Result<Output, Failure>?]>,
        makeState: () throws(Failure) -> State, _ body: (inout State, Int) throws(Failure) -> Output
    ) {
        var state: State?
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            let result: Result<Output, Failure>
            do throws(Failure) {
                var current: State
                if let existing = state { current = existing } else { current = try makeState() }
                state = nil
                defer { state = current }
                result = .success(try body(&current, index))
            } catch {
                result = .failure(error)
            }
            results.withLock { $0[index] = result }
        }
    }
}
