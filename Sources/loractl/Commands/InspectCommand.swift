import ArgumentParser
import LoradAdapters
import LoradTensors

/// `loractl inspect PATH`: what an adapter file or folder holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an adapter's layout, ranks, alpha, scale, targets, dtypes and sizes."
    )

    @Argument(help: "An adapter file or folder (diffusers, PEFT or kohya), or a .lorapack.")
    var path: String

    @Option(help: "Use this alpha instead of the file's (scale = alpha / rank).")
    var alpha: Double?

    @Option(help: "Check the adapter against this base (a safetensors file or diffusers folder) and use its module names.")
    var base: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors {
            var adapter = try AdapterLoader.load(path: path, alpha: alpha)
            var baseNote: String?
            if let base {
                let model = try SafetensorsModel.open(path: base)
                adapter = try adapter.resolved(against: model.description(named: base))
                baseNote = base
            }
            let summary = AdapterSummary(adapter: adapter, path: path, checkedBase: baseNote)
            print(json ? summary.json() : summary.text())
        }
    }
}
