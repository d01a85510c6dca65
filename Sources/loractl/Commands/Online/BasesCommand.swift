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
        try runReportingErrors {
            let connection = try online.connect()
            defer { connection.close() }
            let bases = try connection.listBases()
            if online.json {
                print(CLIJSON.bases(bases))
                return
            }
            guard !bases.isEmpty else {
                print("no bases configured (add them to lorad's config under [bases])")
                return
            }
            let rows = bases.map { base in
                [base.name, String(describing: base.state), base.byteSize == 0 ? "-" : AdapterSummary.human(Int(clamping: base.byteSize)),
                 base.tensorCount == 0 ? "-" : String(base.tensorCount)]
            }
            print(TextTable.render(header: ["NAME", "STATE", "SIZE", "TENSORS"], rows: rows))
        }
    }
}
