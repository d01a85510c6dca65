import LoradAdapters
import LoradTensors
import LoradWire

extension SegmentBuilder {
    /// The `__metadata__` key of an overlay naming its base.
    public static let overlayBaseKey = "lorad.base"
    /// The `__metadata__` key of an overlay holding its active set as JSON:
    /// `[{"name":..,"version":..,"digest":..,"weight":..}]` in set order.
    public static let overlayActiveKey = "lorad.active"

    /// Plans the overlay of `adapters` over `base`: one tensor per base tensor an adapter
    /// touches, under the base's name, dtype and shape; `metadata` becomes its `__metadata__`.
    ///
    /// The adapters must be resolved against the base (``LoraAdapter/resolved(against:)``).
    /// - Throws: ``SafetensorsError``; `AdapterError.unmappedModules` when a module's target
    ///   is not in `base`.
    public static func planOverlay(
        base: SafetensorsFile, adapters: [LoradAdapters.WeightedAdapter], metadata: [String: String]
    ) throws -> OverlayPlan {
        let touched = Set(adapters.flatMap(\.adapter.targetTensors))
        var entries: [SafetensorsLayout.Entry] = []
        var missing: [String] = []
        for name in touched.sorted() {
            guard let entry = base.entry(named: name) else {
                missing.append(name)
                continue
            }
            entries.append(SafetensorsLayout.Entry(name: name, dtype: entry.dtype, shape: entry.shape))
        }
        guard missing.isEmpty else { throw AdapterError.unmappedModules(missing, base: base.name) }
        let layout = try SafetensorsLayout(entries: entries, metadata: metadata)
        return OverlayPlan(layout: layout, base: base, adapters: adapters)
    }

    /// Builds the overlay segment `lorad-overlay-<key>` of a plan: every tensor is
    /// `round_once(W + sum_i w_i * s_i * B_i A_i)` in the base tensor's dtype
    /// (``TensorFusion/fuse(base:terms:into:scratch:conversionThreads:)``).
    ///
    /// - Parameter isCancelled: polled between tensors; when it returns true the build stops
    ///   with ``WireError/cancelled``.
    /// - Throws: ``FuseError``, ``SystemError``, ``WireError/cancelled``.
    public static func overlay(_ plan: OverlayPlan, key: String, isCancelled: () -> Bool = { false }) throws -> Segment {
        let scratch = FuseScratch()
        return try build(kind: .overlay, key: key, layout: plan.layout) { entry, destination in
            if isCancelled() { throw WireError.cancelled }
            guard let tensor = plan.base.tensor(named: entry.name) else { return }
            let terms = TensorFusion.modules(touching: entry.name, in: plan.adapters)
            try TensorFusion.fuse(base: tensor, terms: terms, into: destination, scratch: scratch,
                                  panelWorkers: ModelMerger.defaultPanelWorkers)
        }
    }

    /// A planned overlay: its layout, the base and the weighted adapters.
    public struct OverlayPlan: Sendable {
        /// The file layout (its `totalSize` is the segment's size).
        public let layout: SafetensorsLayout
        let base: SafetensorsFile
        let adapters: [LoradAdapters.WeightedAdapter]
    }
}
