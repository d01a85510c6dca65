import ArgumentParser
import LoradClient
import LoradNotation

/// The options every online command takes: where the daemon is, how long to wait for it,
/// and JSON output.
struct OnlineOptions: ParsableArguments {
    @Option(
        name: .customLong("socket"),
        help: ArgumentHelp(
            "lorad's socket (default: $LORAD_SOCKET, else /run/lorad/lorad.sock for root, else $XDG_RUNTIME_DIR/lorad.sock).",
            valueName: "path"))
    var socket: String?

    @Option(
        name: .customLong("timeout"),
        help: OnlineOptions.timeoutHelp,
        transform: OnlineOptions.parseTimeout)
    var timeout: Duration = LoradConnection.defaultConnectTimeout

    @Flag(help: "Print one JSON object instead of text (schemas in docs/CLI_JSON.md).")
    var json = false

    /// Connects and does HELLO as `loractl/<version>`, giving up after ``timeout``.
    func connect() throws -> LoradConnection {
        try LoradConnection.connect(path: socket, name: Self.clientName, timeout: timeout)
    }

    /// The help of `--timeout` (online commands and `merge`).
    static let timeoutHelp = ArgumentHelp(
        "How long to wait for lorad to accept the connection and answer the handshake, e.g. 5s or 500ms (default 10s); requests themselves have no timeout. Exit 69 when it passes.",
        valueName: "duration")

    /// `--timeout`'s value: a duration as lorad's config writes them (`5s`, `250ms`, `1m`, a
    /// number of seconds), more than zero.
    /// - Throws: `ValidationError` saying what is wrong (exit 64).
    static func parseTimeout(_ text: String) throws -> Duration {
        // DurationSyntax is lorad's config syntax (LoradConfig), so --timeout reads like
        // limits.handshake_timeout.
        let duration: Duration
        do throws(ConfigValueError) {
            duration = try DurationSyntax.parse(text)
        } catch {
            throw ValidationError("--timeout: \(error.reason)")
        }
        guard duration > .zero else { throw ValidationError("--timeout must be more than zero, e.g. 10s") }
        return duration
    }

    /// The name loractl gives itself in HELLO.
    static let clientName = "loractl/0.1"

    /// The command line (without the program name) with the online options written
    /// before the command (`loractl --socket S --json status`) moved right after it
    /// (`status --socket S --json`), where each command declares them. Only a leading run
    /// of `--socket PATH`, `--socket=PATH`, `--timeout T`, `--timeout=T` and `--json`
    /// followed by a command name moves; anything else is returned unchanged, for the parser
    /// to accept or reject.
    static func movedAfterCommand(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--json" || argument.hasPrefix("--socket=") || argument.hasPrefix("--timeout=") {
                moved.append(argument)
                index += 1
            } else if argument == "--socket" || argument == "--timeout", index + 1 < arguments.count {
                moved += [argument, arguments[index + 1]]
                index += 2
            } else {
                break
            }
        }
        guard !moved.isEmpty, index < arguments.count, !arguments[index].hasPrefix("-") else { return arguments }
        return [arguments[index]] + moved + arguments[(index + 1)...]
    }

    /// The body of an online command: connects, runs `body`, closes, and prints what it
    /// returns (the JSON with `--json`, else the text when there is any). Errors become one
    /// line on stderr and the exit status that classifies them.
    func run(_ body: (LoradConnection) throws -> CommandOutput) throws {
        try runReportingErrors {
            let connection = try connect()
            defer { connection.close() }
            let output = try body(connection)
            if json {
                print(output.json)
            } else if let text = output.text() {
                print(text)
            }
            if let failure = output.failure { throw failure }
        }
    }
}

/// What an online command prints, and an optional failure to report after printing it.
struct CommandOutput {
    /// The `--json` object.
    var json: String
    /// The human text, nil for none.
    var text: () -> String?
    /// Reported (exit status and message) after the output, e.g. `verify` finding problems.
    var failure: CommandError?

    init(json: String, failure: CommandError? = nil, text: @escaping () -> String?) {
        self.json = json
        self.text = text
        self.failure = failure
    }
}
