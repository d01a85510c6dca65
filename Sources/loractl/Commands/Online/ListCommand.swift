import ArgumentParser
import LoradClient
import LoradWire

/// `loractl list`: the adapters in the store.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the stored adapters (latest versions), optionally by base or tag."
    )

    @OptionGroup var online: OnlineOptions

    @Option(help: "Only adapters checked against this base.")
    var base: String?

    @Option(help: "Only adapters with this tag.")
    var tag: String?

    func run() throws {
        try online.run { connection in
            let adapters = try connection.listAllAdapters(base: base, tag: tag)
            return CommandOutput(json: CLIJSON.adapters(adapters)) {
                guard !adapters.isEmpty else { return "no adapters (import one with: loractl import PATH --name NAME)" }
                let rows = adapters.map { adapter in
                    [adapter.name, String(adapter.latestVersion), String(adapter.rank),
                     AdapterSummary.human(Int(clamping: adapter.storedBytes)), adapter.base ?? "-",
                     adapter.tags.joined(separator: ",")]
                }
                return TextTable.render(header: ["NAME", "VERSION", "RANK", "STORED", "BASE", "TAGS"], rows: rows)
            }
        }
    }
}
