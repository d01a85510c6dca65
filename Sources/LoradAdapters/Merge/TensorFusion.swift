import LoradTensors

/// Fuses the updates that touch one base tensor: the bridge between normalised
/// adapters and ``FuseKernel``.
public enum TensorFusion {
    /// The terms of `adapters` that update `tensorName`, in adapter order, with
    /// coefficient `weight * scale`.
    public static func modules(touching tensorName: String, in adapters: [WeightedAdapter]) -> [(module: LoraModule, coefficient: Double)] {
        adapters.compactMap { weighted in
            weighted.adapter.modules.first { $0.targetTensor == tensorName }.map {
                (module: $0, coefficient: weighted.weight * $0.scale)
            }
        }
    }

    /// Writes `base` fused with `terms` into `output` (the base's byte count);
    /// `conversionThreads` and `panelWorkers` as in ``FuseKernel``.
    ///
    /// - Throws: ``FuseError`` when shapes or sizes disagree (before any byte is written).
    public static func fuse(
        base: Tensor, terms: [(module: LoraModule, coefficient: Double)],
        into output: UnsafeMutableRawBufferPointer, scratch: FuseScratch? = nil,
        accumulation: FuseAccumulation = .double, conversionThreads: Int = FuseKernel.defaultConversionThreads,
        panelWorkers: Int = 1
    ) throws(FuseError) {
        guard base.shape.count == 2 else {
            throw FuseError(.shapeMismatch, "\(base.shape) is not a 2-D weight")
        }
        let result: Result<Void, FuseError> = base.withUnsafeBytes { baseBytes in
            withOperands(terms, index: 0, collected: []) { fuseTerms in
                Result { () throws(FuseError) in
                    try FuseKernel.fuse(
                        base: FuseOperand(dtype: base.dtype, rows: base.shape[0], cols: base.shape[1], bytes: baseBytes),
                        terms: fuseTerms, into: output, scratch: scratch, accumulation: accumulation,
                        conversionThreads: conversionThreads, panelWorkers: panelWorkers)
                }
            }
        }
        try result.get()
    }

    /// Opens each module's factor bytes in turn (the views are valid only inside
    /// their `withUnsafeBytes` scopes) and hands the whole list to `body`.
    private static func withOperands<R>(
        _ terms: [(module: LoraModule, coefficient: Double)], index: Int, collected: [FuseTerm],
        _ body: ([FuseTerm]) -> R
    ) -> R {
        guard index < terms.count else { return body(collected) }
        let (module, coefficient) = terms[index]
        return module.down.withUnsafeBytes { a in
            module.up.withUnsafeBytes { b in
                let term = FuseTerm(
                    a: FuseOperand(dtype: module.down.dtype, rows: module.down.shape[0], cols: module.down.shape[1], bytes: a),
                    b: FuseOperand(dtype: module.up.dtype, rows: module.up.shape[0], cols: module.up.shape[1], bytes: b),
                    coefficient: coefficient)
                return withOperands(terms, index: index + 1, collected: collected + [term], body)
            }
        }
    }
}
