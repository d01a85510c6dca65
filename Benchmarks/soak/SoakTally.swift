/// What one client (or, merged, the whole soak) saw: latencies per kind of request, the
/// documented refusals by error code, counters of outcomes, and the failed checks.
struct SoakTally: Sendable {
    /// Latencies in microseconds, by measure (`switch (cached)`, `attach`, ...).
    var latencies: [String: [Double]] = [:]
    /// Documented refusals by error name (`resource_exhausted`, `cancelled`, ...).
    var refusals: [String: Int] = [:]
    /// Outcomes worth counting (`cancel: answered first`, `abrupt disconnects`, ...).
    var counters: [String: Int] = [:]
    /// The first failures, in order (at most ``keptFailures``).
    var failures: [String] = []
    /// Every failure, also those not kept.
    var failureCount = 0

    /// How many failure lines are kept per tally.
    static let keptFailures = 20

    /// Records a successful request's latency.
    mutating func record(_ measure: String, microseconds: Double) {
        latencies[measure, default: []].append(microseconds)
    }

    /// Counts one `counter` event.
    mutating func count(_ counter: String, by amount: Int = 1) {
        counters[counter, default: 0] += amount
    }

    /// Records a failed check.
    mutating func fail(_ failure: SoakFailure) {
        failureCount += 1
        if failures.count < Self.keptFailures { failures.append(failure.description) }
    }

    /// Adds `other` into this tally.
    mutating func merge(_ other: SoakTally) {
        latencies.merge(other.latencies) { $0 + $1 }
        refusals.merge(other.refusals, uniquingKeysWith: +)
        counters.merge(other.counters, uniquingKeysWith: +)
        failureCount += other.failureCount
        failures += other.failures.prefix(max(0, Self.keptFailures - failures.count))
    }

    /// Requests answered (successes and documented refusals).
    var requests: Int { latencies.values.reduce(0) { $0 + $1.count } + refusals.values.reduce(0, +) }
}
