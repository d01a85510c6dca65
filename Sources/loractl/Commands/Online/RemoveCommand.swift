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
        guard AdapterRef(parsing: adapter) != nil else { throw ValidationError("'\(adapter)' is not NAME or NAME@VERSION") }
    }

    func run() throws {
        try runReportingErrors {
            guard let ref = AdapterRef(parsing: adapter) else { return }
            let connection = try online.connect()
            defer { connection.close() }
            let removed = try connection.removeAdapter(ref, force: force)
            if online.json {
                print(CLIJSON.removed(ref, versions: removed))
            } else {
                print("removed \(removed) version\(removed == 1 ? "" : "s") of \(ref.name)")
            }
        }
    }
}
