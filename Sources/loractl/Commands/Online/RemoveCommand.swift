import ArgumentParser
import LoradClient
import LoradWire

/// `loractl remove NAME[@N]`: deletes an adapter version, or all of them.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove one version of a stored adapter, or every version when none is given."
    )

    @OptionGroup var online: OnlineOptions

    @Argument(help: "The adapter, NAME (every version) or NAME@VERSION.")
    var adapter: String

    @Flag(help: "Remove it even while sessions use it (they keep their mapped segments).")
    var force = false

    func validate() throws {
        _ = try AdapterRef.argument(adapter)
    }

    func run() throws {
        try online.run { connection in
            let ref = try AdapterRef.argument(adapter)
            let removed = try connection.removeAdapter(ref, force: force)
            return CommandOutput(json: CLIJSON.removed(ref, versions: removed)) {
                "removed \(removed) version\(removed == 1 ? "" : "s") of \(ref.name)"
            }
        }
    }
}
