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
        try online.run { connection in
            let reply = try connection.gc(dryRun: dryRun)
            return CommandOutput(json: CLIJSON.gc(reply, dryRun: dryRun)) {
                "\(dryRun ? "would remove" : "removed") \(reply.blobsRemoved) blob(s), \(AdapterSummary.human(Int(clamping: reply.bytesFreed)))"
            }
        }
    }
}
