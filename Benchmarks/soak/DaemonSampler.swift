import Foundation
import LoradSystem
import LoradClient
import LoradWire
import Synchronization

/// Samples the daemon once a second while the clients run: its RSS, descriptors and
/// threads from `/proc/<pid>`, its STATS (connections, sessions, segments), and the
/// requests the clients had answered by then. Prints a progress line every 10 seconds.
final class DaemonSampler: Sendable {
    /// One second's figures.
    struct Sample: Sendable {
        /// Seconds since the load started.
        var second: Int
        var process: ProcessFigures
        /// Requests answered in the second before the sample.
        var requests: Int
        /// CPU time lorad used in that second, in milliseconds (1000 is one core).
        var cpuMilliseconds: Int
        var connections: UInt32
        var sessions: UInt32
        var segments: UInt32
        var segmentBytes: UInt64
    }

    private let pid: String
    private let monitor: LoradConnection
    private let answered: SoakClient.SharedCounter
    private let samples = Mutex<[Sample]>([])
    private let failure = Mutex<SoakFailure?>(nil)
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    /// A sampler of process `pid`, asking STATS over `monitor`, reading the clients' count.
    init(pid: String, monitor: LoradConnection, answered: SoakClient.SharedCounter) {
        self.pid = pid
        self.monitor = monitor
        self.answered = answered
    }

    /// Starts sampling on a thread of its own, once a second from now.
    func start() {
        let thread = Thread { self.loop() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops sampling and waits for the thread.
    /// - Returns: the samples, and the first failure (the daemon gone, STATS failing).
    func stop() -> ([Sample], SoakFailure?) {
        stopping.store(true, ordering: .releasing)
        done.wait()
        return (samples.withLock { $0 }, failure.withLock { $0 })
    }

    private func loop() {
        defer { done.signal() }
        let clock = ContinuousClock()
        let began = clock.now
        var previous = answered.value.load(ordering: .relaxed)
        var previousCPU = (try? ProcessFigures.read(pid: pid).cpuMilliseconds) ?? 0
        var second = 0
        while !stopping.load(ordering: .acquiring) {
            second += 1
            let next = began.advanced(by: .seconds(second))
            while clock.now < next, !stopping.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: min(0.05, max(0, (next - clock.now).inSeconds)))
            }
            if stopping.load(ordering: .acquiring) { break }
            let total = answered.value.load(ordering: .relaxed)
            do {
                let process = try ProcessFigures.read(pid: pid)
                let stats = try monitor.stats()
                let sample = Sample(
                    second: second, process: process, requests: total - previous,
                    cpuMilliseconds: process.cpuMilliseconds - previousCPU, connections: stats.connections,
                    sessions: stats.sessions, segments: stats.segments, segmentBytes: stats.segmentBytes)
                samples.withLock { $0.append(sample) }
                previousCPU = process.cpuMilliseconds
                if second % 10 == 0 {
                    LoradSoak.note("  \(second) s: \(sample.requests) req/s; lorad \(sample.cpuMilliseconds / 10)% CPU, \(process.summary); \(stats.connections) connections, \(stats.sessions) sessions, \(stats.segments) segments")
                }
            } catch {
                failure.withLock { $0 = $0 ?? SoakFailure("sampling at \(second) s: \(error)") }
                return
            }
            previous = total
        }
    }

    /// The samples as CSV, a header line first.
    static func csv(_ samples: [Sample]) -> String {
        var lines = ["second,requests,cpu_ms,rss_kib,anon_kib,shmem_kib,fds,threads,connections,sessions,segments,segment_bytes"]
        for sample in samples {
            let process = sample.process
            lines.append([
                sample.second, sample.requests, sample.cpuMilliseconds, process.residentKiB, process.anonymousKiB, process.sharedKiB,
                process.descriptors, process.threads, Int(sample.connections), Int(sample.sessions), Int(sample.segments),
                Int(sample.segmentBytes),
            ].map(String.init).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
