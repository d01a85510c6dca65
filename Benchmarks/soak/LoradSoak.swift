import ArgumentParser
import Dispatch
import Foundation
import LoradClient
import LoradSystem
import LoradWire
import Synchronization

/// `lorad-soak`: many clients against a running lorad for a set time, every reply checked,
/// the daemon's memory, descriptors and threads sampled each second and compared, after
/// the clients are gone and EVICT, with what they were before (see README.md beside this
/// file). Exits 1 when a check fails.
@main
struct LoradSoak: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lorad-soak",
        abstract: "Soak a running lorad with concurrent clients and check every reply and its resources.",
        discussion: """
            The adapters must be imported (latest version) and fit the base. The soak runs as an \
            admin of lorad (EVICT). Exit status 0 when every check passed, 1 otherwise.
            """
    )

    @Option(help: ArgumentHelp("lorad's socket.", valueName: "path"))
    var socket: String

    @Option(help: ArgumentHelp("lorad's process id, for /proc/<pid>.", valueName: "pid"))
    var pid: Int32

    @Option(help: "The configured base the sessions open.")
    var base: String

    @Option(help: ArgumentHelp("The base's safetensors file, compared with the base segment.", valueName: "path"))
    var baseFile: String

    @Option(help: "Comma-separated names of imported adapters that fit the base (the pool).")
    var adapters: String

    @Option(parsing: .singleValue, help: ArgumentHelp(
        "NAME=PATH: the files at PATH (a file or a folder's files) are pool adapter NAME's; the import step imports them under new names. Repeatable.",
        valueName: "name=path"))
    var importSource: [String] = []

    @Option(help: "Comma-separated weights of the pool's sets.")
    var weights = "1,-0.5"

    @Option(help: "Concurrent clients (one thread and connection each).")
    var clients = 256

    @Option(help: "How long the clients run, in seconds.")
    var seconds = 600

    @Option(help: "Seed of the clients' random steps (default: drawn at random, and printed).")
    var seed: UInt64?

    @Option(help: "How much larger than before the load lorad's RSS may be after it and EVICT, in MiB.")
    var rssToleranceMib = 32

    @Option(help: "How long to wait after the load for lorad's descriptors and threads to come back, in seconds.")
    var settleSeconds = 60

    @Option(help: ArgumentHelp("Write the per-second samples to this CSV file.", valueName: "path"))
    var samples: String?

    func validate() throws {
        guard (1...4096).contains(clients) else { throw ValidationError("--clients must be 1 to 4096") }
        guard seconds >= 1 else { throw ValidationError("--seconds must be at least 1") }
        guard !poolNames.isEmpty else { throw ValidationError("--adapters must name at least one adapter") }
        guard !poolWeights.isEmpty, poolWeights.allSatisfy(\.isFinite) else {
            throw ValidationError("--weights must be a comma-separated list of finite numbers")
        }
        guard !importSource.isEmpty else { throw ValidationError("give at least one --import-source NAME=PATH") }
        for source in importSource {
            guard let equals = source.firstIndex(of: "="), poolNames.contains(String(source[..<equals])) else {
                throw ValidationError("--import-source \(source): expected NAME=PATH with NAME one of --adapters")
            }
        }
    }

    var poolNames: [String] { adapters.split(separator: ",").map(String.init) }
    var poolWeights: [Double] { weights.split(separator: ",").compactMap { Double(String($0)) } }

    func run() throws {
        let seed = self.seed ?? UInt64.random(in: 0...UInt64.max)
        let pid = String(self.pid)
        Self.note("lorad-soak: \(clients) clients for \(seconds) s against lorad pid \(pid) on \(socket); seed \(seed)")
        var failures: [SoakFailure] = []
        let ownDescriptors = try ProcessFigures.read(pid: "self").descriptors

        let monitor = try LoradConnection.connect(path: socket, name: "lorad-soak/monitor")
        let references = try References.take(
            connection: monitor, base: base, baseFile: baseFile, adapters: poolNames, weights: poolWeights, log: { Self.note("  reference: \($0)") })
        let sources = try importSource.map { source -> (like: String, files: [String]) in
            let equals = source.firstIndex(of: "=")!
            return (String(source[..<equals]), try Self.files(at: String(source[source.index(after: equals)...])))
        }
        _ = try monitor.evict()
        let baseline = try Self.settled(pid: pid)
        Self.note("  baseline after EVICT: lorad \(baseline.summary)")

        let answered = SoakClient.SharedCounter()
        let setup = SoakClient.Setup(
            socket: socket, references: references, ledger: SegmentLedger(references: references), importSources: sources,
            answered: answered)
        let sampler = DaemonSampler(pid: pid, monitor: monitor, answered: answered)
        let (tally, elapsed) = Self.drive(clients: clients, seconds: seconds, seed: seed, setup: setup, sampler: sampler)
        let (series, samplerFailure) = sampler.stop()
        if let samplerFailure { failures.append(samplerFailure) }
        if let samples { try DaemonSampler.csv(series).write(toFile: samples, atomically: true, encoding: .utf8) }

        // After the load: every client gone, EVICT, then resources back to the baseline.
        try Self.drain(monitor, failures: &failures)
        let evicted = try monitor.evict()
        Self.note("  after the load: EVICT dropped \(evicted.segmentsEvicted) segments (\(evicted.bytesFreed) bytes); waiting up to \(settleSeconds) s for descriptors and threads")
        let after = try Self.returned(pid: pid, to: baseline, within: settleSeconds)
        monitor.close()
        let ownAfter = try ProcessFigures.read(pid: "self").descriptors

        let report = SoakReport(
            clients: clients, plannedSeconds: seconds, seconds: elapsed, seed: seed, tally: tally, series: series, baseline: baseline, after: after,
            rssToleranceKiB: rssToleranceMib * 1024, builds: setup.ledger.buildFigures,
            ownDescriptors: (ownDescriptors, ownAfter))
        failures += report.checkFailures
        print(report.text)
        for failure in tally.failures { print("FAIL \(failure)") }
        if tally.failureCount > tally.failures.count {
            print("FAIL ... and \(tally.failureCount - tally.failures.count) more failed checks")
        }
        for failure in failures { print("FAIL \(failure)") }
        let failed = tally.failureCount + failures.count
        print(failed == 0 ? "soak: PASS" : "soak: FAIL (\(failed) failed checks)")
        if failed != 0 { throw ExitCode(1) }
    }

    /// Runs the clients on threads of their own from a common start for `seconds`, the
    /// sampler beside them. Returns their merged tally and the wall time in seconds: until
    /// the last client has finished its last step and removed what it imported.
    static func drive(
        clients: Int, seconds: Int, seed: UInt64, setup: SoakClient.Setup, sampler: DaemonSampler
    ) -> (SoakTally, Double) {
        let tallies = Mutex<[SoakTally]>([])
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        let deadline = Mutex<ContinuousClock.Instant?>(nil)
        for index in 0..<clients {
            group.enter()
            let thread = Thread {
                start.wait()
                let client = SoakClient(index: index, seed: seed, setup: setup)
                client.run(until: deadline.withLock { $0! })
                tallies.withLock { $0.append(client.tally) }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        let clock = ContinuousClock()
        let began = clock.now
        deadline.withLock { $0 = began.advanced(by: .seconds(seconds)) }
        sampler.start()
        for _ in 0..<clients { start.signal() }
        group.wait()
        var merged = SoakTally()
        for tally in tallies.withLock({ $0 }) { merged.merge(tally) }
        return (merged, (clock.now - began).inSeconds)
    }

    /// The daemon's figures once descriptors and threads have held still for three
    /// samples a second apart (at most 30 s).
    static func settled(pid: String) throws -> ProcessFigures {
        var last = try ProcessFigures.read(pid: pid)
        var steady = 0
        for _ in 0..<30 where steady < 2 {
            Thread.sleep(forTimeInterval: 1)
            let now = try ProcessFigures.read(pid: pid)
            steady = now.descriptors == last.descriptors && now.threads == last.threads ? steady + 1 : 0
            last = now
        }
        return last
    }

    /// Waits (at most 30 s) until STATS shows only the monitor's connection and no session.
    static func drain(_ monitor: LoradConnection, failures: inout [SoakFailure]) throws {
        var stats = try monitor.stats()
        for _ in 0..<300 where stats.connections > 1 || stats.sessions > 0 {
            Thread.sleep(forTimeInterval: 0.1)
            stats = try monitor.stats()
        }
        if stats.connections > 1 || stats.sessions > 0 {
            failures.append(SoakFailure("30 s after every client closed, lorad still counts \(stats.connections) connections and \(stats.sessions) sessions (expected 1 and 0)"))
        }
    }

    /// Polls the daemon's figures until descriptors and threads are at most the
    /// baseline's, or `seconds` have passed; returns the last figures.
    static func returned(pid: String, to baseline: ProcessFigures, within seconds: Int) throws -> ProcessFigures {
        var now = try ProcessFigures.read(pid: pid)
        for _ in 0..<(seconds * 10) where now.descriptors > baseline.descriptors || now.threads > baseline.threads {
            Thread.sleep(forTimeInterval: 0.1)
            now = try ProcessFigures.read(pid: pid)
        }
        return now
    }

    /// The regular files at `path`: the file itself, or the files of a folder.
    static func files(at path: String) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw SoakFailure("--import-source: \(path) does not exist")
        }
        guard isFolder.boolValue else { return [path] }
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 }
    }

    /// Writes one line to stderr.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
