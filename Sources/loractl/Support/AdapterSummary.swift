import LoradAdapters
import LoradTensors

/// The facts `inspect` reports about an adapter, as text or JSON.
struct AdapterSummary {
    var adapter: LoraAdapter
    var path: String
    var checkedBase: String?

    /// Human-readable lines.
    func text() -> String {
        var lines: [String] = []
        lines.append("path:        \(path)")
        lines.append("layout:      \(adapter.layout.rawValue) (prefix \(adapter.prefix.isEmpty ? "none" : adapter.prefix))")
        lines.append("modules:     \(adapter.modules.count)")
        lines.append("rank:        \(adapter.ranks.map(String.init).joined(separator: ", "))")
        let alphas = Array(Set(adapter.modules.map(\.alpha))).sorted()
        lines.append("alpha:       \(alphas.map(Self.format).joined(separator: ", ")) (\(Self.sourceText(adapter.alphaSource)))")
        let scales = Array(Set(adapter.modules.map(\.scale))).sorted()
        let rs = adapter.modules.contains(where: \.rsLoRA) ? " (rsLoRA: alpha / sqrt(r))" : " (alpha / r)"
        lines.append("scale:       \(scales.map(Self.format).joined(separator: ", "))\(rs)")
        lines.append("dtypes:      \(adapter.dtypes.map(\.rawValue).joined(separator: ", "))")
        lines.append("size:        \(adapter.byteCount) bytes (\(Self.human(adapter.byteCount)))")
        if let checkedBase { lines.append("base:        compatible with \(checkedBase)") }
        lines.append("targets:")
        for module in adapter.modules {
            lines.append("  \(module.targetTensor)  r=\(module.rank) alpha=\(Self.format(module.alpha)) scale=\(Self.format(module.scale))  A \(module.down.dtype.rawValue)\(module.down.shape) B \(module.up.dtype.rawValue)\(module.up.shape)")
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object (schema in the README).
    func json() -> String {
        let modules = adapter.modules.map { m in
            JSONText.object([
                ("module", JSONText.string(m.module)),
                ("target", JSONText.string(m.targetTensor)),
                ("rank", String(m.rank)),
                ("alpha", JSONText.number(m.alpha)),
                ("scale", JSONText.number(m.scale)),
                ("rslora", m.rsLoRA ? "true" : "false"),
                ("a", JSONText.object([("dtype", JSONText.string(m.down.dtype.rawValue)), ("shape", JSONText.ints(m.down.shape))])),
                ("b", JSONText.object([("dtype", JSONText.string(m.up.dtype.rawValue)), ("shape", JSONText.ints(m.up.shape))])),
            ])
        }
        return JSONText.object([
            ("path", JSONText.string(path)),
            ("layout", JSONText.string(adapter.layout.rawValue)),
            ("prefix", JSONText.string(adapter.prefix)),
            ("alpha_source", JSONText.string(adapter.alphaSource.rawValue)),
            ("ranks", JSONText.ints(adapter.ranks)),
            ("dtypes", "[" + adapter.dtypes.map { JSONText.string($0.rawValue) }.joined(separator: ",") + "]"),
            ("bytes", String(adapter.byteCount)),
            ("checked_base", checkedBase.map(JSONText.string) ?? "null"),
            ("modules", "[" + modules.joined(separator: ",") + "]"),
        ])
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// `value` with one decimal.
    static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// `value` with two decimals.
    static func format2(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = abs(hundredths % 100)
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func sourceText(_ source: AlphaSource) -> String {
        switch source {
        case .file: "from the file"
        case .user: "given with --alpha"
        case .rank: "none stored: alpha = rank"
        }
    }

    static func human(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : "\(format1(value)) \(units[unit])"
    }
}
