import ArgumentParser
import LoradClient
import LoradSystem
import LoradWire

/// `loractl import PATH --name NAME`: stores an adapter in the daemon's store.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store an adapter file or folder (diffusers, PEFT or kohya) in lorad's store.",
        discussion: """
            loractl opens the files itself and passes them to lorad: a file as it is (with \
            adapter_config.json beside adapter_model.safetensors), a folder's \
            adapter_config.json + adapter_model.safetensors, pytorch_lora_weights.safetensors, \
            or its only .safetensors file.
            """
    )

    @OptionGroup var online: OnlineOptions

    @Argument(help: "The adapter file or folder.")
    var path: String

    @Option(help: "The name to store it under.")
    var name: String

    @Option(help: "The LoRA alpha to use when the files store none (else alpha = rank).")
    var alpha: Double?

    @Option(help: "Check the adapter against this configured base.")
    var base: String?

    @Option(help: "A free-text description.")
    var description: String = ""

    @Option(name: .customLong("tag"), help: "A tag to file it under (repeatable).")
    var tags: [String] = []

    @Flag(help: "When NAME exists, store a new version instead of failing.")
    var newVersion = false

    func run() throws {
        var files = ImportFiles(paths: [])
        try runReportingErrors { files = try ImportFiles.choose(path: path) }
        try online.run { connection in
            let reply = try files.withOpenFiles { opened in
                try connection.importAdapter(
                    name: name, files: opened, alpha: alpha, base: base, description: description, tags: tags,
                    newVersion: newVersion)
            }
            return CommandOutput(json: CLIJSON.imported(reply, files: files.paths.map(PathName.base))) {
                "imported \(reply.name)@\(reply.version): \(reply.sourceFormat), \(reply.moduleCount) modules, rank \(reply.rank), alpha \(AdapterSummary.format(reply.alpha)), \(AdapterSummary.human(Int(clamping: reply.rawBytes))) stored as \(AdapterSummary.human(Int(clamping: reply.storedBytes)))"
            }
        }
    }
}
