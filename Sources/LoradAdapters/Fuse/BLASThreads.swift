import CBLAS
import Synchronization

/// OpenBLAS's own thread count, which is process-wide: lowered to one while
/// any caller runs its own threads that each call BLAS (``FuseKernel`` panel
/// workers), restored when the last such caller is done.
///
/// With several threads each in a GEMM, OpenBLAS's extra threads would only
/// spin (`sched_yield`) for cores that are busy; measured on the 2-core
/// development machine that spinning was a third of a merge's CPU time.
/// Other BLAS callers that run meanwhile stay correct, single-threaded.
enum BLASThreads {
    private static let state = Mutex<(depth: Int, saved: Int32)>((0, 1))

    /// Runs `body` with OpenBLAS limited to the calling thread.
    static func withSingleThreaded<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        state.withLock { state in
            if state.depth == 0 {
                state.saved = openblas_get_num_threads()
                openblas_set_num_threads(1)
            }
            state.depth += 1
        }
        defer {
            state.withLock { state in
                state.depth -= 1
                if state.depth == 0 { openblas_set_num_threads(state.saved) }
            }
        }
        return try body()
    }
}
