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
        _ = try AdapterRef.argument(adapter)
        if output == "-", online.json { throw ValidationError("--json cannot share standard output with '--output -'") }
    }

    func run() throws {
        try online.run { connection in
            let ref = try AdapterRef.argument(adapter)
            let written = try AtomicOutput.write(to: output) { descriptor in
                try connection.exportAdapter(ref, into: descriptor)
            }
            return CommandOutput(json: CLIJSON.exported(ref, output: output, bytesWritten: written)) {
                output == "-" ? nil : "exported \(ref.text) to \(output) (\(AdapterSummary.human(Int(clamping: written))))"
            }
        }
    }
}
