import ArgumentParser
import LoradClient
import LoradWire

/// `loractl export NAME[@N] --output FILE`: a stored adapter as a safetensors file.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a stored adapter as a diffusers-layout .safetensors file."
    )

    @OptionGroup var online: OnlineOptions

    @Argument(help: "The adapter, NAME or NAME@VERSION (the latest version by default).")
    var adapter: String

    @Option(help: "Where to write it (replaced atomically; '-' for standard output).")
    var output: String

    func validate() throws {
        guard AdapterRef(parsing: adapter) != nil else { throw ValidationError("'\(adapter)' is not NAME or NAME@VERSION") }
        if output == "-", json { throw ValidationError("--json cannot share standard output with '--output -'") }
    }

    private var json: Bool { online.json }

    func run() throws {
        try runReportingErrors {
            guard let ref = AdapterRef(parsing: adapter) else { return }
            let connection = try online.connect()
            defer { connection.close() }
            let written = try AtomicOutput.write(to: output) { descriptor in
                try connection.exportAdapter(ref, into: descriptor)
            }
            if json {
                print(CLIJSON.exported(ref, output: output, bytesWritten: written))
            } else if output != "-" {
                print("exported \(ref.text) to \(output) (\(AdapterSummary.human(Int(clamping: written))))")
            }
        }
    }
}
