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
        guard AdapterRef(parsing: adapter) != nil else { throw ValidationError("'\(adapter)' is not NAME or NAME@VERSION") }
    }

    func run() throws {
        try runReportingErrors {
            guard let ref = AdapterRef(parsing: adapter) else { return }
            let connection = try online.connect()
            defer { connection.close() }
            let reply = try connection.showAdapter(ref)
            if online.json {
                print(CLIJSON.show(reply))
                return
            }
            print("""
                name:        \(reply.name)
                version:     \(reply.version) (latest \(reply.latestVersion))
                base:        \(reply.base ?? "none checked")
                format:      \(reply.sourceFormat)
                rank:        \(reply.rank)
                alpha:       \(AdapterSummary.format(reply.alpha))
                modules:     \(reply.moduleCount)
                size:        \(AdapterSummary.human(Int(clamping: reply.rawBytes))) raw, \(AdapterSummary.human(Int(clamping: reply.storedBytes))) stored
                tags:        \(reply.tags.isEmpty ? "none" : reply.tags.joined(separator: ", "))
                imported:    \(reply.importedAt) (Unix seconds)
                digest:      \(reply.digest)
                description: \(reply.description.isEmpty ? "none" : reply.description)
                """)
        }
    }
}
