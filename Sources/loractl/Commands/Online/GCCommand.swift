import ArgumentParser
import LoradClient
import LoradWire

/// `loractl gc`: deletes unreferenced blobs (admin).
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete store blobs no adapter references (admin)."
    )

    @OptionGroup var online: OnlineOptions

    @Flag(help: "Only count what would be deleted.")
    var dryRun = false

    func run() throws {
        try runReportingErrors {
            let connection = try online.connect()
            defer { connection.close() }
            let reply = try connection.gc(dryRun: dryRun)
            if online.json {
                print(CLIJSON.gc(reply, dryRun: dryRun))
            } else {
                let verb = dryRun ? "would remove" : "removed"
                print("\(verb) \(reply.blobsRemoved) blob(s), \(AdapterSummary.human(Int(clamping: reply.bytesFreed)))")
            }
        }
    }
}
