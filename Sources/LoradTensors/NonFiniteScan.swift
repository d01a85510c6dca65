/// A NaN or infinite element found by ``NonFiniteScan``.
public struct NonFiniteElement: Sendable, Hashable, CustomStringConvertible {
    /// What the element holds.
    public enum Kind: Sendable, Hashable {
        /// Not a number (any payload, quiet or signalling, either sign).
        case nan
        /// Positive infinity.
        case positiveInfinity
        /// Negative infinity.
        case negativeInfinity
    }

    /// The element's flat index (row-major, from 0).
    public var index: Int
    /// Whether it is NaN or which infinity.
    public var kind: Kind

    /// Makes a finding.
    public init(index: Int, kind: Kind) {
        self.index = index
        self.kind = kind
    }

    /// `NaN`, `+Inf` or `-Inf`.
    public var description: String {
        switch kind {
        case .nan: "NaN"
        case .positiveInfinity: "+Inf"
        case .negativeInfinity: "-Inf"
        }
    }
}

/// Finds NaN and infinite elements in the raw bytes of F64, F32, F16 and BF16 tensors
/// without converting them: an element is non-finite exactly when its exponent bits are
/// all ones.
///
/// The bytes are read as little-endian 64-bit words (unaligned loads), each holding 1, 2
/// or 4 elements. For an element of exponent mask `M` and sign bit `H`, `(bits & M) + (H - M)`
/// reaches `H` only when `bits & M == M`, and never carries into the next element, so one
/// AND, one ADD and one AND per word flag every non-finite lane at once. The loop over
/// blocks of words is branch-free until a block has a hit, which lets the compiler
/// vectorise it: the scan runs at memory speed.
public enum NonFiniteScan {
    /// The first NaN or infinite element of `bytes`, read as elements of `dtype`, or nil
    /// when every element is finite. A trailing part of an element is ignored.
    /// - Throws: ``TensorError/unsupportedDType(_:)`` for a dtype other than F64, F32,
    ///   F16 and BF16.
    public static func first(in bytes: UnsafeRawBufferPointer, dtype: DType) throws(TensorError) -> NonFiniteElement? {
        let lanes = try Lanes(dtype)
        guard let base = bytes.baseAddress else { return nil }
        let usable = bytes.count - bytes.count % lanes.elementBytes
        let wordCount = usable / 8
        let blockWords = 16
        var word = 0
        // Whole blocks: OR the flags of 16 words (128 bytes) and look closer only on a hit.
        while word + blockWords <= wordCount {
            var flags: UInt64 = 0
            for offset in 0..<blockWords {
                flags |= lanes.flags(base.loadUnaligned(fromByteOffset: (word + offset) * 8, as: UInt64.self))
            }
            if flags != 0 { break }
            word += blockWords
        }
        while word < wordCount {
            let bits = base.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)
            if lanes.flags(bits) != 0 { return lanes.finding(in: UInt64(littleEndian: bits), firstElement: word * lanes.perWord) }
            word += 1
        }
        // The last elements, fewer than one word: padded with zero bytes (zero is finite).
        let tail = usable - wordCount * 8
        guard tail > 0 else { return nil }
        var padded: UInt64 = 0
        withUnsafeMutableBytes(of: &padded) { $0.copyMemory(from: UnsafeRawBufferPointer(start: base + wordCount * 8, count: tail)) }
        guard lanes.flags(padded) != 0 else { return nil }
        return lanes.finding(in: UInt64(littleEndian: padded), firstElement: wordCount * lanes.perWord)
    }

    /// The constants of one dtype, each replicated into every element lane of a word.
    private struct Lanes {
        /// The exponent bits.
        let exponent: UInt64
        /// The sign bits minus the exponent bits: adding it sets a lane's sign bit only
        /// when the lane's exponent bits are all ones.
        let offset: UInt64
        /// The sign bits.
        let sign: UInt64
        /// Bits per element.
        let bits: Int

        init(_ dtype: DType) throws(TensorError) {
            let exponent: UInt64
            switch dtype {
            case .f64: (exponent, bits) = (0x7FF0_0000_0000_0000, 64)
            case .f32: (exponent, bits) = (0x7F80_0000, 32)
            case .f16: (exponent, bits) = (0x7C00, 16)
            case .bf16: (exponent, bits) = (0x7F80, 16)
            case .bool, .f4, .f6e2m3, .f6e3m2, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0, .i16, .u16, .i32, .u32, .c64,
                .i64, .u64:
                throw .unsupportedDType(dtype)
            }
            let sign: UInt64 = 1 << UInt64(bits - 1)
            var repeated: (exponent: UInt64, sign: UInt64) = (0, 0)
            for lane in stride(from: 0, to: 64, by: bits) {
                repeated.exponent |= exponent << UInt64(lane)
                repeated.sign |= sign << UInt64(lane)
            }
            self.exponent = repeated.exponent
            self.sign = repeated.sign
            self.offset = repeated.sign &- repeated.exponent
        }

        var elementBytes: Int { bits / 8 }
        var perWord: Int { 64 / bits }

        /// The sign bit of every lane of `word` (as stored, little-endian) whose
        /// exponent is all ones; 0 when all its elements are finite.
        @inline(__always)
        func flags(_ word: UInt64) -> UInt64 {
            ((UInt64(littleEndian: word) & exponent) &+ offset) & sign
        }

        /// The first non-finite element of a word (in native order) that has one.
        func finding(in word: UInt64, firstElement: Int) -> NonFiniteElement {
            let lane = flags(word.littleEndian).trailingZeroBitCount / bits
            let laneMask: UInt64 = bits == 64 ? ~0 : (1 << UInt64(bits)) &- 1
            let element = (word >> UInt64(lane * bits)) & laneMask
            let exponentAndMantissa = element & ((1 << UInt64(bits - 1)) &- 1)
            let kind: NonFiniteElement.Kind =
                exponentAndMantissa != exponent & laneMask ? .nan
                : element & (1 << UInt64(bits - 1)) != 0 ? .negativeInfinity : .positiveInfinity
            return NonFiniteElement(index: firstElement + lane, kind: kind)
        }
    }
}
