import ArgumentParser
import LoradAdapters
import LoradClient
import LoradSystem
import LoradTensors
#if canImport(Glibc)
import Glibc
#endif

/// `loractl merge`: the whole base with adapters fused, written to a file.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Fuse adapters into a base and write the whole merged model.",
        discussion: """
            When --base is a store name rather than a path, lorad does the merge: base and \
            adapters are then names from its configuration and store (NAME[@VERSION][:WEIGHT]). \
            Each --adapter is PATH[:WEIGHT]; WEIGHT (default 1) multiplies the adapter's \
            own scale (alpha / rank). The spec is split at its last ':' only when what \
            follows is a plain decimal number, so 'dir:-0.3' is dir with weight -0.3 and \
            'a:b' is the path 'a:b'. The result is W + sum(w * scale * B A), accumulated \
            in fp32 or wider and rounded once to each weight's dtype.
            """
    )

    @Option(help: "The base model: a .safetensors file or a diffusers folder of shards, or a base lorad serves.")
    var base: String

    @Option(name: .customLong("adapter"), help: "An adapter file or folder, optionally with :WEIGHT (repeatable).")
    var adapters: [String] = []

    @Option(help: "Where to write the merged .safetensors file (replaced atomically).")
    var output: String

    @Flag(help: "Do not print progress on stderr.")
    var quiet = false

    @Option(help: ArgumentHelp(
        "Offline merges: f64 (default) rounds every element correctly; f32 is about 1.6x faster and within 0.52 ulp except where the adapters nearly cancel a weight (as diffusers and PEFT).",
        valueName: "f64|f32"))
    var accumulation: String = "f64"

    @Option(help: ArgumentHelp("lorad's socket, for a merge by the daemon (when --base is no local path).", valueName: "path"))
    var socket: String?

    @Option(help: OnlineOptions.timeoutHelp, transform: OnlineOptions.parseTimeout)
    var timeout: Duration = LoradConnection.defaultConnectTimeout

    @Flag(help: "Print a JSON summary (merges by the daemon; see docs/CLI_JSON.md).")
    var json = false

    func validate() throws {
        guard !adapters.isEmpty else { throw ValidationError("give at least one --adapter PATH[:WEIGHT]") }
        for argument in adapters where AdapterSpec(argument: argument) == nil {
            throw ValidationError("'\(argument)' is not PATH[:WEIGHT]")
        }
        guard accumulation == "f64" || accumulation == "f32" else {
            throw ValidationError("--accumulation is f64 or f32, not '\(accumulation)'")
        }
    }

    func run() throws {
        try runReportingErrors {
            // Online when --base names no file or folder: base and adapters are store names.
            if !OnlineMerge.isLocal(base) {
                try OnlineMerge.run(
                    base: base, adapterArguments: adapters, output: output, socket: socket, timeout: timeout, json: json,
                    quiet: quiet)
                return
            }
            let specs = adapters.compactMap(AdapterSpec.init(argument:))
            let model = try SafetensorsModel.open(path: base)
            let weighted = try specs.map { spec in
                WeightedAdapter(adapter: try AdapterLoader.load(path: spec.path, alpha: nil), weight: spec.weight)
            }
            let clock = ContinuousClock()
            let start = clock.now
            var lastReport = start
            let showProgress = !quiet && isatty(STDERR_FILENO) == 1
            let mode: FuseAccumulation = accumulation == "f32" ? .single : .double
            try ModelMerger.merge(base: model, baseName: base, adapters: weighted, to: output, accumulation: mode) { done, total in
                guard showProgress else { return }
                let now = clock.now
                if now - lastReport > .milliseconds(250) || done == total {
                    lastReport = now
                    writeStandardError("\rmerging: \(done)/\(total) tensors")
                    if done == total { writeStandardError("\n") }
                }
            }
            let seconds = (clock.now - start).inSeconds
            if !quiet {
                printError("merged \(specs.count) adapter(s) into \(output) in \(AdapterSummary.format2(seconds)) s")
            }
        }
    }
}
