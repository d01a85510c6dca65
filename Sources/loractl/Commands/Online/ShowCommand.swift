import ArgumentParser
import LoradClient
import LoradWire

/// `loractl show NAME[@N]`: one stored adapter in detail.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a stored adapter: version, base, format, rank, alpha, sizes, tags, digest."
    )

    @OptionGroup var online: OnlineOptions

    @Argument(help: "The adapter, NAME or NAME@VERSION (the latest version by default).")
    var adapter: String

    func validate() throws {
        _ = try AdapterRef.argument(adapter)
    }

    func run() throws {
        try online.run { connection in
            let reply = try connection.showAdapter(try AdapterRef.argument(adapter))
            return CommandOutput(json: CLIJSON.show(reply)) {
                """
                name:        \(reply.name)
                version:     \(reply.version) (latest \(reply.latestVersion))
                base:        \(reply.base ?? "none checked")
                format:      \(reply.sourceFormat)
                rank:        \(reply.rank)
                alpha:       \(AdapterSummary.format(reply.alpha))
                modules:     \(reply.moduleCount)
                size:        \(AdapterSummary.human(Int(clamping: reply.rawBytes))) raw, \(AdapterSummary.human(Int(clamping: reply.storedBytes))) stored
                tags:        \(reply.tags.isEmpty ? "none" : reply.tags.joined(separator: ", "))
                imported:    \(UTCTimestamp.format(unixSeconds: reply.importedAt))
                digest:      \(reply.digest)
                description: \(reply.description.isEmpty ? "none" : reply.description)
                """
            }
        }
    }
}
