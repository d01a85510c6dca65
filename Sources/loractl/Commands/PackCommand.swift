import ArgumentParser
import LoradAdapters
import LoradStore
import LoradSystem

/// `loractl pack PATH --output X.lorapack`: an adapter in lorad's compressed format.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Compress an adapter (diffusers, PEFT or kohya) into a .lorapack."
    )

    @Argument(help: "An adapter file or folder.")
    var path: String

    @Option(help: "Where to write the pack (replaced atomically).")
    var output: String

    @Option(help: "zstd level (1-19).")
    var level: Int = PackWriter.defaultLevel

    @Option(help: "Use this alpha instead of the file's.")
    var alpha: Double?

    func validate() throws {
        guard PackWriter.levels.contains(level) else { throw ValidationError("--level must be between 1 and 19") }
    }

    func run() throws {
        try runReportingErrors {
            let adapter = try AdapterParser.parse(AdapterSource.open(path: path), alpha: alpha)
            let bytes = try AdapterPack.encode(adapter, level: level)
            try DurableFile.writeAtomically(to: output, bytes: bytes)
            let ratio = Double(adapter.byteCount) / Double(max(bytes.count, 1))
            print("packed \(adapter.modules.count) modules: \(adapter.byteCount) -> \(bytes.count) bytes (ratio \(AdapterSummary.format2(ratio))x) into \(output)")
        }
    }
}
