import LoradTensors

/// A read-only view of one row-major matrix handed to ``FuseKernel``: the base
/// weight `W` (out x in), a LoRA down projection `A` (r x in) or an up projection
/// `B` (out x r).
///
/// Ownership and lifetime: the operand does not own `bytes`. The memory must stay
/// mapped and unmodified for the whole ``FuseKernel/fuse(base:terms:into:scratch:accumulation:)``
/// call that receives it (typically an mmap'd safetensors file or a decompressed
/// buffer held by the caller). The view is not `Sendable`: do not hand it to another
/// thread; build a new operand there instead.
///
/// `bytes` holds exactly `rows * cols` elements of `dtype`, little-endian, with no
/// padding between rows; it needs no particular alignment. Nothing is checked when
/// the operand is built: the kernel validates every operand before it reads one byte.
public struct FuseOperand {
    /// The element type: F64, F32, F16 or BF16 (others are rejected by the kernel).
    public var dtype: DType
    /// Number of rows (the first safetensors dimension).
    public var rows: Int
    /// Number of columns (the second safetensors dimension; elements per row).
    public var cols: Int
    /// The elements, row-major; borrowed, see the type's documentation.
    public var bytes: UnsafeRawBufferPointer

    /// Describes `bytes` as a `rows` x `cols` row-major matrix of `dtype`.
    public init(dtype: DType, rows: Int, cols: Int, bytes: UnsafeRawBufferPointer) {
        self.dtype = dtype
        self.rows = rows
        self.cols = cols
        self.bytes = bytes
    }

    /// The shape as written in messages, e.g. `1920x128 BF16`.
    var shapeDescription: String { "\(rows)x\(cols) \(dtype.rawValue)" }
}
