import LoradTensors

/// One low-rank update of one base weight: delta W = scale * B A.
///
/// `down` (A) is `rank x in` and `up` (B) is `out x rank`, both in the orientation
/// of the base weight `W` (`out x in`), whatever the source layout stored (PEFT's
/// `fan_in_fan_out` factors are transposed into this orientation when loaded).
/// The tensors are zero-copy views into the file or buffer they came from and keep
/// that memory alive.
public struct LoraModule: Sendable {
    /// The module path in the base's naming, e.g. `transformer_blocks.0.attn1.to_q`;
    /// the base tensor it updates is `"\(module).weight"`.
    public var module: String
    /// The key stem the source file used for this module (for kohya, the
    /// underscored name), kept so that names can be re-resolved against a base.
    public var sourceName: String
    /// A: `rank x in`.
    public var down: Tensor
    /// B: `out x rank`.
    public var up: Tensor
    /// The alpha this module is scaled with.
    public var alpha: Double
    /// True when the scale is alpha / sqrt(rank) (rsLoRA) instead of alpha / rank.
    public var rsLoRA: Bool

    /// Makes a module; shapes are validated by ``LoraAdapter`` construction and
    /// again against a base by ``LoraAdapter/resolved(against:)``.
    public init(module: String, sourceName: String, down: Tensor, up: Tensor, alpha: Double, rsLoRA: Bool) {
        self.module = module
        self.sourceName = sourceName
        self.down = down
        self.up = up
        self.alpha = alpha
        self.rsLoRA = rsLoRA
    }

    /// The rank r: rows of A (equal to the columns of B).
    public var rank: Int { down.shape.first ?? 0 }

    /// The base tensor this module updates.
    public var targetTensor: String { module + ".weight" }

    /// The factor the update is multiplied by: alpha / r, or alpha / sqrt(r) with rsLoRA.
    public var scale: Double {
        let r = Double(rank)
        guard r > 0 else { return 0 }
        return rsLoRA ? alpha / r.squareRoot() : alpha / r
    }

    /// Rows of the base weight (B's rows).
    public var outFeatures: Int { up.shape.first ?? 0 }
    /// Columns of the base weight (A's columns).
    public var inFeatures: Int { down.shape.count == 2 ? down.shape[1] : 0 }
}
