import LoradTensors

/// A LoRA adapter normalised from any supported layout: an ordered list of
/// modules in the base's naming, each with its factors and scale.
///
/// Values are immutable snapshots; tensors share the memory they were loaded from.
public struct LoraAdapter: Sendable {
    /// The layout the adapter was read from.
    public var layout: AdapterLayout
    /// The component prefix of diffusers keys (`transformer`); for other layouts
    /// the prefix an export in diffusers layout uses, `transformer` by default.
    public var prefix: String
    /// Modules sorted by module path.
    public var modules: [LoraModule]
    /// Where alpha came from.
    public var alphaSource: AlphaSource
    /// The source file's `__metadata__`, for inspection.
    public var sourceMetadata: [String: String]

    /// Makes an adapter, sorting modules by path. Throws when two modules update
    /// the same base tensor, a module's factors are not a valid pair, or a factor holds
    /// NaN or an infinity (``AdapterError/nonFiniteFactor(tensor:shape:element:)``, naming
    /// the factor by the key `layout` gives it: the module's source stem and the layout's
    /// suffix). Every adapter lorad reads, from a file or a pack, passes here.
    public init(
        layout: AdapterLayout,
        prefix: String,
        modules: [LoraModule],
        alphaSource: AlphaSource,
        sourceMetadata: [String: String] = [:]
    ) throws(AdapterError) {
        var seen = Set<String>()
        for module in modules {
            guard seen.insert(module.module).inserted else {
                throw .duplicateModule(module.module)
            }
            try module.validateFactors(suffixes: layout.factorSuffixes)
        }
        guard !modules.isEmpty else { throw .noLoraTensors(detail: "the file holds no LoRA factor pairs") }
        self.layout = layout
        self.prefix = prefix
        self.modules = modules.sorted { $0.module < $1.module }
        self.alphaSource = alphaSource
        self.sourceMetadata = sourceMetadata
    }

    /// The largest rank of any module.
    public var maxRank: Int { modules.map(\.rank).max() ?? 0 }

    /// The distinct ranks, ascending.
    public var ranks: [Int] { Array(Set(modules.map(\.rank))).sorted() }

    /// The dtypes of all factors, sorted by name.
    public var dtypes: [DType] {
        Array(Set(modules.flatMap { [$0.down.dtype, $0.up.dtype] })).sorted { $0.rawValue < $1.rawValue }
    }

    /// Bytes of all factors as stored (uncompressed).
    public var byteCount: Int { modules.reduce(0) { $0 + $1.down.byteCount + $1.up.byteCount } }

    /// The base tensors this adapter updates, sorted.
    public var targetTensors: [String] { modules.map(\.targetTensor) }

    /// Returns a copy whose every module uses `alpha` (a user override), keeping
    /// rsLoRA as the file says.
    public func withAlpha(_ alpha: Double) -> LoraAdapter {
        var copy = self
        copy.modules = modules.map { var m = $0; m.alpha = alpha; return m }
        copy.alphaSource = .user
        return copy
    }
}

extension LoraModule {
    /// Checks that A is `r x in`, B is `out x r`, both 2-D, computable, non-empty and
    /// finite; a non-finite factor is named `sourceName` + its suffix in `suffixes`.
    func validateFactors(suffixes: (down: String, up: String)) throws(AdapterError) {
        guard down.shape.count == 2, up.shape.count == 2 else {
            if down.shape.count == 4 || up.shape.count == 4 {
                throw .unsupported(feature: "convolution LoRA", detail: "module \(sourceName) has 4-D factors \(down.shape) / \(up.shape); only linear layers are supported")
            }
            throw .badFactorShapes(module: sourceName, down: down.shape, up: up.shape)
        }
        guard down.shape[0] == up.shape[1], down.shape[0] > 0, down.shape[1] > 0, up.shape[0] > 0 else {
            throw .badFactorShapes(module: sourceName, down: down.shape, up: up.shape)
        }
        for tensor in [down, up] where !tensor.dtype.isComputable {
            throw .unsupported(feature: "\(tensor.dtype.rawValue) factors", detail: "module \(sourceName); lorad computes on F64, F32, F16 and BF16")
        }
        guard alpha.isFinite else {
            throw .badAlpha(module: sourceName, value: alpha)
        }
        try Self.requireFinite(down, key: sourceName + suffixes.down)
        try Self.requireFinite(up, key: sourceName + suffixes.up)
    }

    /// Throws ``AdapterError/nonFiniteFactor(tensor:shape:element:)`` naming `key` when
    /// `tensor` (F64, F32, F16 or BF16) holds NaN or an infinity.
    static func requireFinite(_ tensor: Tensor, key: String) throws(AdapterError) {
        let found: NonFiniteElement?
        do {
            found = try tensor.firstNonFiniteElement()
        } catch {
            throw .unsupported(feature: "\(tensor.dtype.rawValue) factors", detail: "\(key); lorad computes on F64, F32, F16 and BF16")
        }
        if let found { throw .nonFiniteFactor(tensor: key, shape: tensor.shape, element: found) }
    }
}
