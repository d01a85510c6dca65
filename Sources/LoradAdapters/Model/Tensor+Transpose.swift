import LoradTensors

extension Tensor {
    /// A copy of a 2-D tensor with rows and columns swapped (any dtype of whole bytes).
    func transposed2D() throws(AdapterError) -> Tensor {
        guard shape.count == 2, dtype.bitWidth % 8 == 0 else {
            throw .unsupported(feature: "fan_in_fan_out on a \(shape.count)-D \(dtype.rawValue) tensor", detail: "only 2-D factors can be transposed")
        }
        let rows = shape[0], cols = shape[1], width = dtype.bitWidth / 8
        var out = [UInt8](repeating: 0, count: byteCount)
        withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                for r in 0..<rows {
                    for c in 0..<cols {
                        let from = (r * cols + c) * width
                        let to = (c * rows + r) * width
                        for b in 0..<width { dst[to + b] = src[from + b] }
                    }
                }
            }
        }
        do {
            return try Tensor(dtype: dtype, shape: [cols, rows], bytes: out)
        } catch {
            throw .badFactorShapes(module: "transpose", down: shape, up: [cols, rows])
        }
    }
}
