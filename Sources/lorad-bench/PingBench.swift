import ArgumentParser
import LoradClient
import LoradWire

/// `lorad-bench ping`: round trips of PING, optionally pipelined.
struct PingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "N clients each send M PINGs; latency from send to reply."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Concurrent clients (threads, one connection each).")
    var clients = 1

    @Option(help: "PINGs per client.")
    var requests = 1000

    @Option(help: "Requests each client keeps in flight (pipelining; 1 = one at a time).")
    var depth = 1

    @Flag(help: "--socket is a redis-server's: send RESP PINGs to it with the same clients and clock (an anchor).")
    var resp = false

    /// How the clients run.
    enum Engine: String, ExpressibleByArgument, CaseIterable {
        /// One thread drives every connection through epoll, as redis-benchmark does.
        case loop
        /// One thread per client, each with a blocking LoradConnection (what applications use).
        case threads
    }

    @Option(help: "loop: one thread drives all connections through epoll, like redis-benchmark -c N; threads: one thread and blocking LoradConnection per client.")
    var engine = Engine.loop

    func validate() throws {
        guard (1...1024).contains(clients) else { throw ValidationError("--clients must be 1 to 1024") }
        guard requests >= 1 else { throw ValidationError("--requests must be at least 1") }
        guard (1...1024).contains(depth) else { throw ValidationError("--depth must be 1 to 1024") }
        guard !resp || options.socket != nil else { throw ValidationError("--resp needs --socket: the redis-server's Unix socket") }
    }

    func run() throws {
        let socket = options.socket
        let (requests, depth) = (self.requests, self.depth)
        let redis = resp ? socket : nil
        let (summary, firstError) =
            switch engine {
            case .loop:
                PingLoop.run(
                    path: socket ?? LoradConnection.defaultSocketPath(), dialect: resp ? .resp : .lorad,
                    clients: clients, requests: requests, depth: depth)
            case .threads:
                ClientPool.run(clients: clients) { index in
                    if let redis { return RespPingClient.run(path: redis, requests: requests, depth: depth) }
                    return Self.client(socket: socket, index: index, requests: requests, depth: depth)
                }
            }
        ClientPool.report(summary, firstError: firstError, clients: clients, json: options.json)
        if summary.count == 0 { throw ExitCode(69) }
    }

    /// One client: connect, then `requests` PINGs in windows of `depth`.
    static func client(socket: String?, index: Int, requests: Int, depth: Int) -> ClientPool.Outcome {
        var outcome = ClientPool.Outcome()
        let connection: LoradConnection
        do {
            connection = try LoradConnection.connect(path: socket, name: "lorad-bench/\(index)")
        } catch {
            return ClientPool.Outcome(latencies: [], errors: requests, firstError: error.description)
        }
        defer { connection.close() }
        let clock = ContinuousClock()
        outcome.latencies.reserveCapacity(requests)
        var sent = 0
        do {
            while sent < requests {
                let window = min(depth, requests - sent)
                var started: [(id: UInt32, at: ContinuousClock.Instant)] = []
                for offset in 0..<window {
                    let at = clock.now
                    started.append((try connection.submit(.ping(PingRequest(token: UInt64(sent + offset)))), at))
                }
                for (id, at) in started {
                    do {
                        _ = try connection.reply(to: id)
                        outcome.latencies.append(ClientPool.microseconds(clock.now - at))
                    } catch where error.isRequestError {
                        outcome.errors += 1
                        outcome.firstError = outcome.firstError ?? error.description
                    }
                }
                sent += window
            }
        } catch {
            outcome.errors = requests - outcome.latencies.count
            outcome.firstError = outcome.firstError ?? "\(error)"
        }
        return outcome
    }
}
