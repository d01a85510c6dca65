import Dispatch
import Foundation
import LoradClient
import LoradSystem
import Synchronization

/// Runs benchmark clients on threads of their own and gathers their latencies.
enum ClientPool {
    /// What one client reports.
    struct Outcome: Sendable {
        /// Latencies of successful requests, in microseconds.
        var latencies: [Double] = []
        /// Requests that failed.
        var errors = 0
        /// The first error seen, for the report.
        var firstError: String?
    }

    /// Starts `clients` threads together, each running `body(index)`, waits for all, and
    /// returns the combined latencies, error count and wall time (from the common start
    /// to the last finish).
    static func run(clients: Int, _ body: @escaping @Sendable (Int) -> Outcome) -> (LatencySummary, firstError: String?) {
        let results = Mutex<[Outcome]>([])
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for index in 0..<clients {
            group.enter()
            let thread = Thread {
                start.wait()
                let outcome = body(index)
                results.withLock { $0.append(outcome) }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        let clock = ContinuousClock()
        let began = clock.now
        for _ in 0..<clients { start.signal() }
        group.wait()
        let seconds = (clock.now - began).inSeconds
        let all = results.withLock { $0 }
        let summary = LatencySummary(
            latencies: all.flatMap(\.latencies), errors: all.reduce(0) { $0 + $1.errors }, seconds: seconds)
        return (summary, all.compactMap(\.firstError).first)
    }

    /// Microseconds in `duration`.
    static func microseconds(_ duration: Duration) -> Double {
        duration.inSeconds * 1e6
    }

    /// Prints the summary (and the JSON line with `json`), and the first error on stderr.
    static func report(_ summary: LatencySummary, firstError: String?, clients: Int, json: Bool) {
        if let firstError {
            FileHandle.standardError.write(Data("lorad-bench: \(summary.errors) request(s) failed; first: \(firstError)\n".utf8))
        }
        print(summary.table(clients: clients))
        if json { print(summary.json) }
    }
}
