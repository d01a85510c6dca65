/// Throughput and latency percentiles of one benchmark run.
struct LatencySummary: Equatable {
    /// Requests that succeeded.
    var count: Int
    /// Requests that failed.
    var errors: Int
    /// Wall time of the run, in seconds.
    var seconds: Double
    /// Successful requests per second of wall time.
    var requestsPerSecond: Double
    /// Latency percentiles and maximum, in microseconds (0 when nothing succeeded).
    var p50: Double
    var p99: Double
    var p999: Double
    var max: Double

    /// Summarises `latencies` (microseconds, any order) over `seconds` of wall time.
    init(latencies: [Double], errors: Int, seconds: Double) {
        let sorted = latencies.sorted()
        count = sorted.count
        self.errors = errors
        self.seconds = seconds
        requestsPerSecond = seconds > 0 ? Double(sorted.count) / seconds : 0
        p50 = Self.percentile(sorted, 0.50)
        p99 = Self.percentile(sorted, 0.99)
        p999 = Self.percentile(sorted, 0.999)
        max = sorted.last ?? 0
    }

    /// The nearest-rank percentile `p` (0...1) of ascending `sorted`; 0 when empty.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }

    /// The table: a header line and one line of figures.
    func table(clients: Int) -> String {
        let header = ["clients", "ok", "errors", "seconds", "rps", "p50_us", "p99_us", "p999_us", "max_us"]
        let values = [
            String(clients), String(count), String(errors), Self.fixed(seconds, 3), Self.fixed(requestsPerSecond, 1),
            Self.fixed(p50, 1), Self.fixed(p99, 1), Self.fixed(p999, 1), Self.fixed(max, 1),
        ]
        let widths = zip(header, values).map { Swift.max($0.count, $1.count) }
        let pad = { (cells: [String]) -> String in
            var line = zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
        return pad(header) + "\n" + pad(values)
    }

    /// `{"rps": ..., "p50_us": ..., "p99_us": ..., "p999_us": ...}`.
    var json: String {
        "{\"rps\": \(Self.fixed(requestsPerSecond, 1)), \"p50_us\": \(Self.fixed(p50, 1)), \"p99_us\": \(Self.fixed(p99, 1)), \"p999_us\": \(Self.fixed(p999, 1))}"
    }

    /// `value` with `digits` decimals (no locale, no exponent).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value * scale).rounded()
        let whole = Int64(scaled / scale)
        let fraction = Int64(abs(scaled - Double(whole) * scale))
        guard digits > 0 else { return String(whole) }
        let text = String(fraction)
        return (scaled < 0 && whole == 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}
