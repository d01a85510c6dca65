import ArgumentParser

/// `loractl`: the command-line client of lorad. Offline commands work on files;
/// online ones talk to the daemon.
@main
struct Loractl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loractl",
        abstract: "Inspect, pack, merge and serve LoRA adapters for video models.",
        discussion: """
            Exit codes: 0 success, 64 usage, 65 bad input data, 66 input not found, \
            69 daemon unavailable, 77 permission denied, 1 anything else.
            """,
        subcommands: [InspectCommand.self, MergeCommand.self, PackCommand.self, UnpackCommand.self]
    )
}
