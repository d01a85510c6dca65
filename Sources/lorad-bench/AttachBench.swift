import ArgumentParser
import LoradClient
import LoradSystem
import LoradWire
import Synchronization

/// Where `attach --touch` leaves the XOR of the bytes it read.
private let pageSink = Atomic<UInt8>(0)

/// `lorad-bench attach`: what it costs a client to get a base's weights in its address
/// space: OPEN_SESSION, GET_SEGMENTS and `mmap` of the base segment.
struct AttachBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "N clients each attach to BASE M times: open a session, get its segments, map the base.",
        discussion: """
            One connection per client. Each timed iteration is OPEN_SESSION (base only), \
            GET_SEGMENTS, and mmap of the base segment from GET_SEGMENTS' descriptor; with \
            --touch it also reads one byte of every 4 KiB page of the mapping (faulting the \
            whole base in). Unmapping and CLOSE_SESSION come after the clock stops.
            """
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "The configured base to attach to.")
    var base: String

    @Option(help: "Concurrent clients (threads, one connection each).")
    var clients = 1

    @Option(help: "Attaches per client.")
    var iterations = 20

    @Flag(help: "Also read one byte of every page of the mapped base (timed).")
    var touch = false

    func validate() throws {
        guard (1...1024).contains(clients) else { throw ValidationError("--clients must be 1 to 1024") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
    }

    func run() throws {
        let (socket, base, iterations, touch) = (options.socket, base, iterations, touch)
        let (summary, firstError) = ClientPool.run(clients: clients) { index in
            Self.client(socket: socket, index: index, base: base, iterations: iterations, touch: touch)
        }
        ClientPool.report(summary, firstError: firstError, clients: clients, json: options.json)
        if summary.count == 0 { throw ExitCode(69) }
    }

    /// One client: connect, then `iterations` timed attaches, each session closed after.
    static func client(socket: String?, index: Int, base: String, iterations: Int, touch: Bool) -> ClientPool.Outcome {
        var outcome = ClientPool.Outcome()
        let connection: LoradConnection
        do {
            connection = try LoradConnection.connect(path: socket, name: "lorad-bench/\(index)")
        } catch {
            return ClientPool.Outcome(latencies: [], errors: iterations, firstError: error.description)
        }
        defer { connection.close() }
        let clock = ContinuousClock()
        var checksum: UInt8 = 0
        for _ in 0..<iterations {
            do throws(LoradClientError) {
                let at = clock.now
                let opened = try connection.openSession(base: base, mode: .fused)
                opened.closeDescriptors()
                let state = try connection.getSegments(session: opened.sessionID)
                let mapped = try SessionSegments(mapping: state)
                guard let region = mapped.baseSegment?.region else {
                    throw LoradClientError.invalidSegment("GET_SEGMENTS on a base-only session returned no base segment")
                }
                if touch { checksum ^= Self.touchPages(region) }
                let elapsed = clock.now - at
                // Unmapped only here, after the clock stopped.
                withExtendedLifetime(mapped) {}
                outcome.latencies.append(ClientPool.microseconds(elapsed))
                try connection.closeSession(opened.sessionID)
            } catch where error.isRequestError {
                outcome.errors += 1
                outcome.firstError = outcome.firstError ?? error.description
            } catch {
                outcome.errors = iterations - outcome.latencies.count
                outcome.firstError = outcome.firstError ?? error.description
                break
            }
        }
        // An atomic store is never optimised away, so neither are the page reads feeding it.
        pageSink.store(checksum, ordering: .relaxed)
        return outcome
    }

    /// XOR of the first byte of every 4 KiB page of `region`.
    static func touchPages(_ region: MappedRegion) -> UInt8 {
        region.withUnsafeBytes { bytes in
            var sum: UInt8 = 0
            var offset = 0
            while offset < bytes.count {
                sum ^= bytes[offset]
                offset += 4096
            }
            return sum
        }
    }
}
