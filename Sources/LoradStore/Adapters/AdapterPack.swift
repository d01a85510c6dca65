import Foundation
import LoradAdapters
import LoradTensors

/// Converts a normalised ``LoraAdapter`` to and from a pack: the factors as
/// `<module>.lora_A.weight` / `.lora_B.weight` tensors (bytes unchanged), and the
/// per-module alpha, rsLoRA flag and source names in the pack's metadata.
public enum AdapterPack {
    /// Metadata keys of an adapter pack.
    public enum Key {
        /// The source layout (`diffusers`, `peft`, `kohya`).
        public static let layout = "lorad.layout"
        /// The diffusers component prefix an export uses.
        public static let prefix = "lorad.prefix"
        /// Where alpha came from (`file`, `user`, `rank`).
        public static let alphaSource = "lorad.alpha_source"
        /// JSON array of {module, source, alpha, rslora}, in module order.
        public static let modules = "lorad.modules"
        /// Prefix of the source file's own `__metadata__` entries.
        public static let sourceMetadataPrefix = "source."
    }

    /// Encodes `adapter` as pack bytes, compressing at `level`.
    public static func encode(_ adapter: LoraAdapter, level: Int = PackWriter.defaultLevel) throws -> [UInt8] {
        var writer = PackWriter()
        writer.metadata[Key.layout] = adapter.layout.rawValue
        writer.metadata[Key.prefix] = adapter.prefix
        writer.metadata[Key.alphaSource] = adapter.alphaSource.rawValue
        writer.metadata[Key.modules] = JSONText.array(adapter.modules.map { module in
            JSONText.object([
                ("module", JSONText.string(module.module)),
                ("source", JSONText.string(module.sourceName)),
                ("alpha", JSONText.number(module.alpha)),
                ("rslora", module.rsLoRA ? "true" : "false"),
            ])
        })
        for (key, value) in adapter.sourceMetadata { writer.metadata[Key.sourceMetadataPrefix + key] = value }
        for module in adapter.modules {
            for (suffix, tensor) in [(".lora_A.weight", module.down), (".lora_B.weight", module.up)] {
                try writer.addTensor(name: module.module + suffix, dtype: tensor.dtype, shape: tensor.shape, bytes: tensor.withUnsafeBytes { Array($0) })
            }
        }
        return try writer.encode(level: level)
    }

    /// Decodes pack bytes into an adapter, verifying every tensor's checksum.
    ///
    /// - Throws: ``PackError`` for a malformed or corrupt pack, ``AdapterError``
    ///   when its metadata does not describe its tensors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, origin: String) throws -> LoraAdapter {
        let reader = try PackReader(copying: bytes)
        let metadata = reader.manifest.metadata
        guard let layoutText = metadata[Key.layout], let layout = AdapterLayout(rawValue: layoutText),
              let modulesJSON = metadata[Key.modules]
        else {
            throw AdapterError.badConfig("\(origin): the pack holds no lorad adapter metadata (was it written by loractl pack?)")
        }
        let alphaSource = metadata[Key.alphaSource].flatMap(AlphaSource.init(rawValue:)) ?? .file
        let prefix = metadata[Key.prefix] ?? "transformer"
        var sourceMetadata: [String: String] = [:]
        for (key, value) in metadata where key.hasPrefix(Key.sourceMetadataPrefix) {
            sourceMetadata[String(key.dropFirst(Key.sourceMetadataPrefix.count))] = value
        }
        let decoded = try reader.decompressAll()
        var tensors: [String: (entry: PackTensorEntry, bytes: [UInt8])] = [:]
        for (entry, bytes) in zip(reader.manifest.tensors, decoded) { tensors[entry.name] = (entry, bytes) }
        var modules: [LoraModule] = []
        for entry in try moduleEntries(modulesJSON, origin: origin) {
            func tensor(_ suffix: String) throws -> Tensor {
                let name = entry.module + suffix
                guard let found = tensors[name] else {
                    throw AdapterError.missingPartner(key: entry.module, expected: name)
                }
                return try Tensor(dtype: found.entry.dtype, shape: found.entry.shape, bytes: found.bytes)
            }
            modules.append(LoraModule(
                module: entry.module, sourceName: entry.source,
                down: try tensor(".lora_A.weight"), up: try tensor(".lora_B.weight"),
                alpha: entry.alpha, rsLoRA: entry.rsLoRA))
        }
        return try LoraAdapter(layout: layout, prefix: prefix, modules: modules, alphaSource: alphaSource, sourceMetadata: sourceMetadata)
    }

    /// Checks that `bytes` decode to an adapter, keeping nothing: every tensor's checksum
    /// (as ``PackReader/verify()``), the adapter metadata, the factors' shapes, and that
    /// no factor holds NaN or an infinity (packs written before lorad refused those may).
    /// It is the pack verifier for ``AdapterStore/verify(packVerifier:)``: whatever it
    /// reports is what loading the version would fail on.
    ///
    /// - Throws: as ``decode(_:origin:)``.
    public static func verify(_ bytes: UnsafeRawBufferPointer, origin: String) throws {
        _ = try decode(bytes, origin: origin)
    }

    private struct ModuleEntry: Decodable {
        var module: String
        var source: String
        var alpha: Double
        var rsLoRA: Bool

        enum CodingKeys: String, CodingKey {
            case module, source, alpha
            case rsLoRA = "rslora"
        }
    }

    private static func moduleEntries(_ json: String, origin: String) throws -> [ModuleEntry] {
        do {
            return try JSONDecoder().decode([ModuleEntry].self, from: Data(json.utf8))
        } catch {
            throw AdapterError.badConfig("\(origin): the pack's module list is not valid JSON")
        }
    }
}
