import ArgumentParser
import LoradClient

/// The options every online command takes: where the daemon is, and JSON output.
struct OnlineOptions: ParsableArguments {
    @Option(
        name: .customLong("socket"),
        help: ArgumentHelp(
            "lorad's socket (default: $LORAD_SOCKET, else /run/lorad/lorad.sock for root, else $XDG_RUNTIME_DIR/lorad.sock).",
            valueName: "path"))
    var socket: String?

    @Flag(help: "Print one JSON object instead of text (schemas in docs/CLI_JSON.md).")
    var json = false

    /// Connects and does HELLO as `loractl/<version>`.
    func connect() throws -> LoradConnection {
        try LoradConnection.connect(path: socket, name: Self.clientName)
    }

    /// The name loractl gives itself in HELLO.
    static let clientName = "loractl/0.1"
}
