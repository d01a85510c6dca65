import LoradTensors

extension FuseKernel {
    /// Checks every dtype, shape, byte count, coefficient and overlap of a fuse
    /// request before any memory is read. Returns the terms that contribute (nonzero
    /// coefficient and rank), in order.
    static func validate(base: FuseOperand, terms: [FuseTerm],
                         output: UnsafeMutableRawBufferPointer) throws(FuseError) -> [FuseTerm] {
        try checkOperand(base, role: "the base")
        let baseBytes = base.bytes.count
        guard output.count == baseBytes else {
            throw FuseError(.sizeMismatch,
                "the output buffer holds \(output.count) bytes but the base \(base.shapeDescription) needs \(baseBytes); pass a buffer of exactly the base's size")
        }
        let outputRange = addressRange(UnsafeRawBufferPointer(output))
        let baseRange = addressRange(base.bytes)
        if outputRange != baseRange, outputRange.overlaps(baseRange) {
            throw FuseError(.overlappingOutput,
                "the output buffer partly overlaps the base; pass either the base's own buffer (in place) or a disjoint one")
        }

        var contributing: [FuseTerm] = []
        for (index, term) in terms.enumerated() {
            let name = "term \(index)"
            guard term.coefficient.isFinite else {
                throw FuseError(.invalidCoefficient,
                    "\(name) has coefficient \(term.coefficient); pass a finite weight times scale")
            }
            try checkOperand(term.a, role: "\(name)'s A")
            try checkOperand(term.b, role: "\(name)'s B")
            let shapes = "A is \(term.a.shapeDescription), B is \(term.b.shapeDescription), the base is \(base.shapeDescription)"
            guard term.a.cols == base.cols else {
                throw FuseError(.shapeMismatch,
                    "\(name): \(shapes); A needs one column per base column (\(base.cols)): is the adapter for another model or transposed?")
            }
            guard term.b.rows == base.rows else {
                throw FuseError(.shapeMismatch,
                    "\(name): \(shapes); B needs one row per base row (\(base.rows)): is the adapter for another model or transposed?")
            }
            guard term.a.rows == term.b.cols else {
                throw FuseError(.shapeMismatch,
                    "\(name): \(shapes); A's rows and B's columns are both the rank and must be equal: are A and B swapped or from different adapters?")
            }
            for factor in [term.a.bytes, term.b.bytes] where addressRange(factor).overlaps(outputRange) {
                throw FuseError(.overlappingOutput,
                    "\(name)'s factors overlap the output buffer; write the result to memory that no factor uses")
            }
            if term.coefficient != 0, term.a.rows > 0, base.rows > 0, base.cols > 0 {
                contributing.append(term)
            }
        }
        return contributing
    }

    /// Checks one operand's dtype, dimensions and byte count.
    private static func checkOperand(_ operand: FuseOperand, role: String) throws(FuseError) {
        guard operand.dtype.isComputable else {
            throw FuseError(.unsupportedDType,
                "\(role) has dtype \(operand.dtype.rawValue); the fuse kernel computes on F64, F32, F16 and BF16 only: convert it first")
        }
        guard operand.rows >= 0, operand.cols >= 0 else {
            throw FuseError(.shapeMismatch,
                "\(role) has shape \(operand.rows)x\(operand.cols); dimensions cannot be negative")
        }
        guard operand.rows <= Int(Int32.max), operand.cols <= Int(Int32.max) else {
            throw FuseError(.tooLarge,
                "\(role) is \(operand.shapeDescription); BLAS takes at most \(Int32.max) rows or columns")
        }
        let (elements, overflow) = operand.rows.multipliedReportingOverflow(by: operand.cols)
        // Widened to F64 the operand takes 8 bytes an element: that must fit too.
        guard !overflow, !elements.multipliedReportingOverflow(by: 8).overflow,
              let expected = operand.dtype.byteCount(elements: elements) else {
            throw FuseError(.tooLarge, "\(role) is \(operand.shapeDescription), too many elements to address")
        }
        guard operand.bytes.count == expected else {
            throw FuseError(.sizeMismatch,
                "\(role) is \(operand.shapeDescription) = \(expected) bytes but its view holds \(operand.bytes.count); pass exactly the tensor's bytes")
        }
    }

    /// The addresses `buffer` spans (empty for an empty buffer).
    private static func addressRange(_ buffer: UnsafeRawBufferPointer) -> Range<UInt> {
        guard let start = buffer.baseAddress, buffer.count > 0 else { return 0..<0 }
        let low = UInt(bitPattern: start)
        return low..<(low + UInt(buffer.count))
    }
}
