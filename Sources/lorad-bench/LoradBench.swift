import ArgumentParser

/// `lorad-bench`: load generator for a running lorad (`ping` drives its connections from
/// one epoll thread by default, see `PingLoop`). Other clients run on threads, each with
/// its own connection; every request's latency is recorded in microseconds.
@main
struct LoradBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lorad-bench",
        abstract: "Measure lorad's request latency and throughput with concurrent clients.",
        discussion: "Prints a table; with --json the last line is {\"rps\": ..., \"p50_us\": ..., \"p99_us\": ..., \"p999_us\": ...}.",
        subcommands: [PingBench.self, SwitchBench.self, AttachBench.self]
    )

    @OptionGroup var options: BenchOptions
}

/// Options shared by every benchmark, given before or after the subcommand.
struct BenchOptions: ParsableArguments {
    @Option(help: ArgumentHelp("lorad's socket (default: $LORAD_SOCKET, else the daemon's default for this user).", valueName: "path"))
    var socket: String?

    @Flag(help: "End the output with one JSON line of the summary.")
    var json = false
}
