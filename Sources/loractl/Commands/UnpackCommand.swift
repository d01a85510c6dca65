import ArgumentParser
import LoradAdapters
import LoradStore
import LoradSystem
import LoradTensors

/// `loractl unpack X.lorapack --output Y.safetensors`: the adapter back in
/// diffusers layout.
struct UnpackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpack",
        abstract: "Write a .lorapack's adapter as a diffusers-layout safetensors file.",
        discussion: """
            Keys are <prefix>.<module>.lora_A.weight / lora_B.weight with the prefix the \
            adapter came with (transformer by default), and alpha, rank and patterns in \
            the lora_adapter_metadata entry of __metadata__, as diffusers writes them.
            """
    )

    @Argument(help: "A .lorapack file.")
    var pack: String

    @Option(help: "Where to write the safetensors file (replaced atomically).")
    var output: String

    func run() throws {
        try runReportingErrors {
            let region = try MappedRegion(path: pack)
            let adapter = try region.withUnsafeBytes { try AdapterPack.decode($0, origin: pack) }
            try SafetensorsWriter.write(tensors: adapter.diffusersTensors(), metadata: adapter.diffusersMetadata(), to: output)
            print("unpacked \(adapter.modules.count) modules into \(output)")
        }
    }
}
