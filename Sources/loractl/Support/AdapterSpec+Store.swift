import LoradClient
import LoradWire

extension AdapterSpec {
    /// The stored adapter this spec names online: its path part read as `NAME[@VERSION]`,
    /// with the spec's weight; nil when the version part is malformed.
    var storeAdapter: LoradWire.WeightedAdapter? {
        AdapterRef(parsing: path).map { LoradWire.WeightedAdapter(adapter: $0, weight: weight) }
    }

    /// Parses `--adapter NAME[@N][:WEIGHT]` arguments for an online command, in order.
    /// - Throws: `ValidationError`-style `CommandError` (exit 64) naming the bad argument.
    static func storeAdapters(_ arguments: [String]) throws -> [LoradWire.WeightedAdapter] {
        try arguments.map { argument in
            guard let adapter = AdapterSpec(argument: argument)?.storeAdapter else {
                throw CommandError(status: .usage, message: "'\(argument)' is not NAME[@VERSION][:WEIGHT]")
            }
            return adapter
        }
    }
}
