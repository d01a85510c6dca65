import LoradAdapters
import LoradTensors

extension SegmentBuilder {
    /// The `__metadata__` key of a factors segment holding `{module: scale}` as JSON: the
    /// factor each module's `B A` is multiplied by (alpha / r, or alpha / sqrt(r) with rsLoRA),
    /// before the session's weight.
    public static let scalesKey = "lorad.scales"
    /// The `__metadata__` key holding the diffusers component prefix of the tensor names
    /// (`transformer`): strip `<prefix>.` to get the base's module path.
    public static let prefixKey = "lorad.prefix"

    /// Plans the factors segment of `adapter`: diffusers layout
    /// (`<prefix>.<module>.lora_A.weight` / `.lora_B.weight`, ``LoraAdapter/diffusersTensors()``),
    /// diffusers metadata (``LoraAdapter/diffusersMetadata()``) plus ``scalesKey`` and
    /// ``prefixKey``. Use ``FactorsPlan/layout``'s `totalSize` to reserve memory, then
    /// ``factors(_:key:)`` to build.
    /// - Throws: ``SafetensorsError`` when two tensors share a name.
    public static func planFactors(_ adapter: LoraAdapter) throws -> FactorsPlan {
        let tensors = adapter.diffusersTensors()
        var metadata = adapter.diffusersMetadata()
        metadata[scalesKey] = JSONText.object(adapter.modules.map { ($0.module, JSONText.number($0.scale)) })
        metadata[prefixKey] = adapter.prefix
        let layout = try SafetensorsLayout(
            entries: tensors.map { SafetensorsLayout.Entry(name: $0.name, dtype: $0.tensor.dtype, shape: $0.tensor.shape) },
            metadata: metadata)
        var byName: [String: Tensor] = [:]
        for (name, tensor) in tensors { byName[name] = tensor }
        return FactorsPlan(layout: layout, tensors: byName)
    }

    /// Builds the factors segment `lorad-factors-<key>` of a plan.
    /// - Throws: ``SystemError``.
    public static func factors(_ plan: FactorsPlan, key: String) throws -> Segment {
        try build(kind: .factors, key: key, layout: plan.layout) { entry, destination in
            plan.tensors[entry.name]?.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    /// A planned factors segment: its layout and the tensors that fill it.
    public struct FactorsPlan: Sendable {
        /// The file layout (its `totalSize` is the segment's size).
        public let layout: SafetensorsLayout
        /// The tensors by file name.
        let tensors: [String: Tensor]
    }
}
