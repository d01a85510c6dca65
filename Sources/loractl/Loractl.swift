import ArgumentParser

/// `loractl`: the command-line client of lorad. Offline commands work on files;
/// online ones (status ... session) talk to the daemon.
@main
struct Loractl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loractl",
        abstract: "Inspect, pack, merge and serve LoRA adapters for video models.",
        discussion: """
            Exit codes: 0 success, 64 usage, 65 bad input data, 66 input not found, \
            69 daemon unavailable or no answer within --timeout, 74 output stalled (nothing read it), \
            75 too many connections (retry later), \
            77 permission denied, 1 anything else.
            The online options --socket PATH, --timeout DURATION and --json may also come before the command: \
            loractl --socket ./lorad.sock status.
            """,
        subcommands: [
            InspectCommand.self, MergeCommand.self, PackCommand.self, UnpackCommand.self,
            StatusCommand.self, BasesCommand.self, ListCommand.self, ShowCommand.self, ImportCommand.self,
            ExportCommand.self, RemoveCommand.self, VerifyCommand.self, GCCommand.self, EvictCommand.self,
            SessionCommand.self,
        ]
    )

    /// Parses the command line with the online options given before the command moved
    /// after it (``OnlineOptions/movedAfterCommand(_:)``), then runs the command.
    static func main() {
        main(OnlineOptions.movedAfterCommand(Array(CommandLine.arguments.dropFirst())))
    }
}
