import ArgumentParser
import LoradClient
import LoradWire

/// `lorad-bench switch`: SWITCH latency on one session per client.
struct SwitchBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switch",
        abstract: "N clients each open a session on BASE and switch M times among the adapters.",
        discussion: """
            Iteration i of client c switches to the single adapter number (i + c) mod K, weight 1. \
            With --cold the cache is evicted (admin) before each switch, so every switch builds \
            its segment; the evict is not timed. Segment descriptors are closed unmapped.
            """
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "The configured base to open sessions on.")
    var base: String

    @Option(help: "Comma-separated adapter names (NAME or NAME@VERSION) to switch among.")
    var adapters: String

    @Option(help: "Session mode: fused or factors.")
    var mode = "fused"

    @Option(help: "Concurrent clients (threads, one connection and session each).")
    var clients = 1

    @Option(help: "Switches per client.")
    var iterations = 100

    @Flag(help: "Evict cached segments before each switch.")
    var cold = false

    var references: [AdapterRef] {
        adapters.split(separator: ",").compactMap { AdapterRef(parsing: String($0)) }
    }

    func validate() throws {
        guard (1...1024).contains(clients) else { throw ValidationError("--clients must be 1 to 1024") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard mode == "fused" || mode == "factors" else { throw ValidationError("--mode must be fused or factors") }
        let parts = adapters.split(separator: ",", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ AdapterRef(parsing: String($0)) != nil }) else {
            throw ValidationError("--adapters must be a comma-separated list of NAME or NAME@VERSION")
        }
    }

    func run() throws {
        let (socket, base, sessionMode) = (options.socket, base, mode == "factors" ? SessionMode.factors : .fused)
        let (references, iterations, cold) = (self.references, self.iterations, self.cold)
        let (summary, firstError) = ClientPool.run(clients: clients) { index in
            Self.client(
                socket: socket, index: index, base: base, mode: sessionMode, adapters: references, iterations: iterations,
                cold: cold)
        }
        ClientPool.report(summary, firstError: firstError, clients: clients, json: options.json)
        if summary.count == 0 { throw ExitCode(69) }
    }

    /// One client: connect, open a session, switch `iterations` times.
    static func client(
        socket: String?, index: Int, base: String, mode: SessionMode, adapters: [AdapterRef], iterations: Int, cold: Bool
    ) -> ClientPool.Outcome {
        var outcome = ClientPool.Outcome()
        do {
            let connection = try LoradConnection.connect(path: socket, name: "lorad-bench/\(index)")
            defer { connection.close() }
            let session = try connection.openSession(base: base, mode: mode)
            session.closeDescriptors()
            let clock = ContinuousClock()
            for iteration in 0..<iterations {
                let adapter = adapters[(iteration + index) % adapters.count]
                do {
                    if cold { _ = try connection.evict() }
                    let at = clock.now
                    let state = try connection.switchAdapters(
                        session: session.sessionID, to: [WeightedAdapter(adapter: adapter, weight: 1)])
                    outcome.latencies.append(ClientPool.microseconds(clock.now - at))
                    state.closeDescriptors()
                } catch where error.isRequestError {
                    outcome.errors += 1
                    outcome.firstError = outcome.firstError ?? error.description
                }
            }
            try connection.closeSession(session.sessionID)
        } catch {
            outcome.errors = iterations - outcome.latencies.count
            outcome.firstError = outcome.firstError ?? "\(error)"
        }
        return outcome
    }
}
