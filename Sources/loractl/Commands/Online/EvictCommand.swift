import ArgumentParser
import LoradClient
import LoradWire

/// `loractl evict`: drops cached segments (admin).
struct EvictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evict",
        abstract: "Drop cached segments no session uses, and a base's resident segment with --base (admin)."
    )

    @OptionGroup var online: OnlineOptions

    @Option(help: "Also evict this base's resident segment if no session uses it.")
    var base: String?

    func run() throws {
        try online.run { connection in
            let reply = try connection.evict(base: base)
            return CommandOutput(json: CLIJSON.evict(reply, base: base)) {
                "evicted \(reply.segmentsEvicted) segment(s), \(AdapterSummary.human(Int(clamping: reply.bytesFreed))) freed"
            }
        }
    }
}
