import Foundation

/// The soak's figures and the checks on the daemon's resources, as text.
struct SoakReport {
    var clients: Int
    /// How long the clients were to run, in seconds.
    var plannedSeconds: Int
    /// Wall time of the load, in seconds, until the last client was done.
    var seconds: Double
    var seed: UInt64
    var tally: SoakTally
    var series: [DaemonSampler.Sample]
    /// The daemon before the load (after EVICT, settled) and after it (clients gone, EVICT).
    var baseline: ProcessFigures
    var after: ProcessFigures
    /// How much larger `after`'s RSS may be than `baseline`'s, in KiB.
    var rssToleranceKiB: Int
    /// ``SegmentLedger/buildFigures``.
    var builds: (segments: Int, identities: Int)
    /// This process's own descriptors before and after.
    var ownDescriptors: (before: Int, after: Int)

    /// The checks of the resources, each with its verdict line.
    var checks: [(passed: Bool, line: String)] {
        let growth = after.residentKiB - baseline.residentKiB
        return [
            (tally.requests > 0, "requests answered: \(tally.requests)"),
            (after.descriptors <= baseline.descriptors,
             "lorad's descriptors back to the baseline: \(after.descriptors) after, \(baseline.descriptors) before"),
            (after.threads <= baseline.threads, "lorad's threads back to the baseline: \(after.threads) after, \(baseline.threads) before"),
            (growth <= rssToleranceKiB,
             "lorad's RSS within +\(ProcessFigures.mebibytes(rssToleranceKiB)) MiB of the baseline: \(growth >= 0 ? "+" : "")\(ProcessFigures.mebibytes(growth)) MiB"),
            (ownDescriptors.before == ownDescriptors.after,
             "lorad-soak's own descriptors unchanged: \(ownDescriptors.after) after, \(ownDescriptors.before) before"),
        ]
    }

    /// The failed checks.
    var checkFailures: [SoakFailure] {
        checks.filter { !$0.passed }.map { SoakFailure($0.line) }
    }

    /// The whole report.
    var text: String {
        var lines: [String] = []
        let rate = seconds > 0 ? Double(tally.requests) / seconds : 0
        lines.append("lorad-soak: \(clients) clients for \(plannedSeconds) s (\(Self.fixed(seconds, 1)) s until the last one had finished its last step and removed its imports), seed \(seed)")
        lines.append("requests answered: \(tally.requests), \(Self.fixed(rate, 0)) per second; failed checks: \(tally.failureCount)")
        lines.append("")
        lines.append("| request | ok | p50 us | p99 us | max us |")
        lines.append("| --- | ---: | ---: | ---: | ---: |")
        let all = tally.latencies.values.flatMap { $0 }
        for (measure, values) in tally.latencies.sorted(by: { $0.key < $1.key }) + [("all", all)] {
            let sorted = values.sorted()
            lines.append("| \(measure) | \(sorted.count) | \(Self.fixed(Self.percentile(sorted, 0.5), 0)) | \(Self.fixed(Self.percentile(sorted, 0.99), 0)) | \(Self.fixed(sorted.last ?? 0, 0)) |")
        }
        lines.append("")
        lines.append("documented refusals: \(Self.listing(tally.refusals))")
        lines.append("outcomes: \(Self.listing(tally.counters))")
        lines.append("segments built during the load: \(builds.segments) (for \(builds.identities) distinct overlays and factor sets; the rest are rebuilds after EVICT)")
        let load = series.filter { $0.second <= plannedSeconds }
        if let slowest = load.min(by: { $0.requests < $1.requests }) {
            let perSecond = load.map(\.requests).sorted()
            let process = load.map(\.process)
            let cpu = load.map(\.cpuMilliseconds).reduce(0, +)
            lines.append("throughput per second over the \(load.count) s of load: median \(perSecond[perSecond.count / 2]), max \(perSecond.last!), min \(slowest.requests) (at \(slowest.second) s, when lorad used \(slowest.cpuMilliseconds) ms of CPU)")
            lines.append("lorad's CPU over the load: \(Self.fixed(Double(cpu) / 1000, 1)) s, \(Self.fixed(Double(cpu) / 10 / Double(load.count), 0))% of one core on average")
            lines.append("lorad during the load: RSS max \(ProcessFigures.mebibytes(process.map(\.residentKiB).max()!)) MiB (anon max \(ProcessFigures.mebibytes(process.map(\.anonymousKiB).max()!)), shmem max \(ProcessFigures.mebibytes(process.map(\.sharedKiB).max()!))), fds max \(process.map(\.descriptors).max()!), threads max \(process.map(\.threads).max()!), connections max \(load.map(\.connections).max()!), sessions max \(load.map(\.sessions).max()!)")
            let minute = min(60, max(1, load.count / 3))
            lines.append("lorad's anonymous RSS, median of the first \(minute) s of load: \(ProcessFigures.mebibytes(Self.median(process.prefix(minute).map(\.anonymousKiB)))) MiB; of the last \(minute) s: \(ProcessFigures.mebibytes(Self.median(process.suffix(minute).map(\.anonymousKiB)))) MiB")
        }
        lines.append("lorad before the load (after EVICT): \(baseline.summary)")
        lines.append("lorad after the load and EVICT:      \(after.summary)")
        lines.append("")
        for check in checks { lines.append("\(check.passed ? "PASS" : "FAIL") \(check.line)") }
        return lines.joined(separator: "\n")
    }

    /// `name 3, other 1`, sorted by name, or `none`.
    static func listing(_ counts: [String: Int]) -> String {
        counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// The nearest-rank percentile `fraction` (0...1) of ascending `sorted` (the smallest
    /// value with at least that fraction of the values at or below it); 0 when empty.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        if sorted.isEmpty { return 0 }
        let position = (Double(sorted.count) * fraction).rounded(.up) - 1
        return sorted[Int(min(max(position, 0), Double(sorted.count - 1)))]
    }

    /// The median of `values` (the upper one of an even count); 0 when empty.
    static func median(_ values: [Int]) -> Int {
        values.isEmpty ? 0 : values.sorted()[values.count / 2]
    }

    /// `value` with `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
