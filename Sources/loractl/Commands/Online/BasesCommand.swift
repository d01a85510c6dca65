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
                // ORIGIN (file or fd_store) only from servers that speak protocol 1.1.
                let withOrigin = bases.contains { $0.origin != nil }
                let rows = bases.map { base in
                    [base.name, String(describing: base.state),
                     base.byteSize == 0 ? "-" : AdapterSummary.human(Int(clamping: base.byteSize)),
                     base.tensorCount == 0 ? "-" : String(base.tensorCount)]
                        + (withOrigin ? [base.origin.map { $0 == .notResident ? "-" : $0.name } ?? "-"] : [])
                }
                let header = ["NAME", "STATE", "SIZE", "TENSORS"] + (withOrigin ? ["ORIGIN"] : [])
                return TextTable.render(header: header, rows: rows)
            }
        }
    }
}
