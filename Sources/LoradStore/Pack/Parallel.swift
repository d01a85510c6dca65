import Dispatch
import Synchronization

/// Runs independent jobs on all cores with per-worker state.
enum Parallel {
    /// Calls `body` for every index in 0..<count, concurrently, and returns the results
    /// in index order.
    ///
    /// Workers pull indices from a shared counter, so each Dispatch worker thread makes
    /// one `State` with `makeState` (lazily, on its first job) and reuses it for every job
    /// it runs: zstd contexts are created once per thread, not once per job. `State`
    /// never leaves the thread that made it.
    static func map<State, Output: Sendable>(
        count: Int,
        makeState: @Sendable () throws(PackError) -> State,
        _ body: @Sendable (inout State, Int) throws(PackError) -> Output
    ) -> [Result<Output, PackError>] {
        guard count > 0 else { return [] }
        let next = Atomic<Int>(0)
        let results = Mutex<[Result<Output, PackError>?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { _ in
            var state: State?
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                let result: Result<Output, PackError>
                do throws(PackError) {
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
        return results.withLock { slots in
            slots.map { $0 ?? .failure(.compressionFailed("internal error: a parallel job did not run")) }
        }
    }
}
