import LoradAdapters
import LoradStore
import LoradSystem

/// Loads an adapter from a path: a `.lorapack` or any supported layout.
enum AdapterLoader {
    /// Loads and normalises; `alpha` overrides the file's for every module.
    static func load(path: String, alpha: Double?) throws -> LoraAdapter {
        if path.hasSuffix(".lorapack") {
            let region = try MappedRegion(path: path)
            var adapter = try region.withUnsafeBytes { try AdapterPack.decode($0, origin: path) }
            if let alpha { adapter = adapter.withAlpha(alpha) }
            return adapter
        }
        return try AdapterParser.parse(AdapterSource.open(path: path), alpha: alpha)
    }
}
