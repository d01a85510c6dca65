import LoradTensors

extension LoraAdapter {
    /// Maps every module to a tensor of `base` and checks the shapes.
    ///
    /// kohya's underscored names are matched against the underscored forms of the
    /// base's module paths and get the base's exact dotted names. Returns the
    /// adapter with those names.
    ///
    /// - Throws: ``AdapterError/unmappedModules(_:base:)`` listing every module that
    ///   matches no base tensor; ``AdapterError/shapeMismatch(tensor:base:down:up:)``
    ///   for the first module (in path order) whose factors do not fit;
    ///   ``AdapterError/unsupportedBaseTensor(tensor:detail:)`` when the target is
    ///   not a 2-D F64/F32/F16/BF16 weight.
    public func resolved(against base: some BaseDescription) throws(AdapterError) -> LoraAdapter {
        var copy = self
        if layout == .kohya {
            copy.modules = try resolveKohyaNames(base)
        }
        let unmapped = copy.modules.filter { base.tensorShape($0.targetTensor) == nil }.map(\.sourceName)
        if !unmapped.isEmpty {
            throw .unmappedModules(unmapped.sorted(), base: base.displayName)
        }
        var seen = Set<String>()
        for module in copy.modules.sorted(by: { $0.module < $1.module }) {
            guard seen.insert(module.module).inserted else { throw .duplicateModule(module.module) }
            guard let target = base.tensorShape(module.targetTensor) else { continue }
            guard target.dtype.isComputable else {
                throw .unsupportedBaseTensor(tensor: module.targetTensor, detail: "a \(target.dtype.rawValue) weight; lorad fuses into F64, F32, F16 and BF16 weights only")
            }
            guard target.shape.count == 2 else {
                if target.shape.count == 4 {
                    throw .unsupported(feature: "convolution LoRA", detail: "\(module.targetTensor) is a 4-D convolution weight \(target.shape)")
                }
                throw .shapeMismatch(tensor: module.targetTensor, base: target.shape, down: module.down.shape, up: module.up.shape)
            }
            guard module.down.shape == [module.rank, target.shape[1]], module.up.shape == [target.shape[0], module.rank] else {
                throw .shapeMismatch(tensor: module.targetTensor, base: target.shape, down: module.down.shape, up: module.up.shape)
            }
        }
        copy.modules.sort { $0.module < $1.module }
        return copy
    }

    private func resolveKohyaNames(_ base: some BaseDescription) throws(AdapterError) -> [LoraModule] {
        var byUnderscored: [String: [String]] = [:]
        for name in base.tensorNames where name.hasSuffix(".weight") {
            let path = String(name.dropLast(".weight".count))
            byUnderscored[KohyaLayout.underscored(path), default: []].append(path)
        }
        return try modules.map { (module: LoraModule) throws(AdapterError) -> LoraModule in
            guard let underscored = KohyaLayout.underscoredPath(module.sourceName) else { return module }
            guard let candidates = byUnderscored[underscored] else { return module }
            guard candidates.count == 1 else { throw .ambiguousName(module.sourceName, candidates: candidates.sorted()) }
            var resolved = module
            resolved.module = candidates[0]
            return resolved
        }
    }
}
