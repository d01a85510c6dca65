import ArgumentParser
import LoradClient
import LoradWire

/// `loractl bases`: the configured base models.
struct BasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bases",
        abstract: "List the base models lorad serves, with their state and size."
    )

    @OptionGroup var online: OnlineOptions

    func run() throws {
        try online.run { connection in
            let bases = try connection.listBases()
            return CommandOutput(json: CLIJSON.bases(bases)) {
                guard !bases.isEmpty else { return "no bases configured (add them to lorad's config under [bases])" }
                let rows = bases.map { base in
                    [base.name, String(describing: base.state),
                     base.byteSize == 0 ? "-" : AdapterSummary.human(Int(clamping: base.byteSize)),
                     base.tensorCount == 0 ? "-" : String(base.tensorCount)]
                }
                return TextTable.render(header: ["NAME", "STATE", "SIZE", "TENSORS"], rows: rows)
            }
        }
    }
}
