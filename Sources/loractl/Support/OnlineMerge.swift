import LoradClient
import LoradSystem
import LoradWire

/// `loractl merge` against the daemon: used when `--base` names no file or folder, so base
/// and adapters are store names.
enum OnlineMerge {
    /// Whether `base` is a local file or folder (then the merge runs offline).
    static func isLocal(_ base: String) -> Bool {
        FileStatus.exists(base)
    }

    /// Asks lorad to merge `adapterArguments` (`NAME[@N][:W]`) into `base` and writes the
    /// result to `output` (replaced atomically). Prints a line (or JSON) unless `quiet`.
    /// `timeout` bounds the connect and the handshake only.
    static func run(
        base: String, adapterArguments: [String], output: String, socket: String?, timeout: Duration, json: Bool, quiet: Bool
    ) throws {
        let adapters = try AdapterSpec.storeAdapters(adapterArguments)
        let connection = try LoradConnection.connect(path: socket, name: OnlineOptions.clientName, timeout: timeout)
        defer { connection.close() }
        let clock = ContinuousClock()
        let start = clock.now
        let reply = try AtomicOutput.write(to: output) { descriptor in
            try connection.merge(base: base, adapters: adapters, into: descriptor)
        }
        if json {
            print(CLIJSON.merged(base: base, adapters: adapters, output: output, reply: reply))
        } else if !quiet {
            let seconds = (clock.now - start).inSeconds
            printError("lorad merged \(adapters.count) adapter(s) into \(output): \(reply.tensorsMerged) tensors changed, \(AdapterSummary.human(Int(clamping: reply.bytesWritten))) in \(AdapterSummary.format2(seconds)) s")
        }
    }
}
