import LoradTensors
import LoradTestSupport
import Testing

/// `NonFiniteScan` against a per-element reference (`Double(...).isFinite` after an exact
/// conversion), over every position of the block, word and tail paths and unaligned starts.
@Suite struct NonFiniteScanTests {
    static let dtypes: [DType] = [.f64, .f32, .f16, .bf16]

    /// The reference: the first element whose exact `Double` value is not finite.
    static func reference(_ bytes: [UInt8], dtype: DType) throws -> NonFiniteElement? {
        let count = bytes.count / (dtype.bitWidth / 8)
        var values = [Double](repeating: 0, count: count)
        try bytes.withUnsafeBytes { raw in
            try values.withUnsafeMutableBufferPointer { try FloatConversion.toFloat64(raw, dtype: dtype, into: $0) }
        }
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return nil }
        let value = values[index]
        return NonFiniteElement(index: index, kind: value.isNaN ? .nan : value > 0 ? .positiveInfinity : .negativeInfinity)
    }

    /// Scans `bytes` starting `shift` bytes into a larger buffer, so that loads are unaligned.
    static func scan(_ bytes: [UInt8], dtype: DType, shift: Int) throws -> NonFiniteElement? {
        let padded = [UInt8](repeating: 0xFF, count: shift) + bytes + [0xFF, 0xFF, 0xFF]
        return try padded.withUnsafeBytes { raw in
            try NonFiniteScan.first(in: UnsafeRawBufferPointer(rebasing: raw[shift..<(shift + bytes.count)]), dtype: dtype)
        }
    }

    static func element(_ bits: UInt64, width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
    }

    @Test(arguments: dtypes)
    func everyPositionOfEveryPathIsFound(dtype: DType) throws {
        let width = dtype.bitWidth / 8
        let infinity: UInt64 = switch dtype {
        case .f64: 0x7FF0_0000_0000_0000
        case .f32: 0x7F80_0000
        case .f16: 0x7C00
        default: 0x7F80
        }
        let sign: UInt64 = 1 << UInt64(dtype.bitWidth - 1)
        let one: UInt64 = switch dtype {
        case .f64: 0x3FF0_0000_0000_0000
        case .f32: 0x3F80_0000
        case .f16: 0x3C00
        default: 0x3F80
        }
        // 16-word blocks hold 128 bytes: 301 elements cover blocks, single words and (for
        // 16- and 32-bit elements) a tail of less than a word.
        let count = 301
        for position in [0, 1, 2, 3, 7, 15, 16, 17, 63, 64, count / 2, count - 2, count - 1] {
            for (bits, kind) in [(infinity | 1, NonFiniteElement.Kind.nan), (infinity, .positiveInfinity), (infinity | sign, .negativeInfinity)] {
                var bytes = [UInt8]()
                for _ in 0..<count { bytes += Self.element(one, width: width) }
                bytes.replaceSubrange((position * width)..<((position + 1) * width), with: Self.element(bits, width: width))
                // A later one does not hide the first.
                if position + 3 < count {
                    bytes.replaceSubrange(((position + 3) * width)..<((position + 4) * width), with: Self.element(infinity | 1, width: width))
                }
                for shift in 0..<3 {
                    let found = try Self.scan(bytes, dtype: dtype, shift: shift)
                    #expect(found == NonFiniteElement(index: position, kind: kind), "\(dtype) at \(position), shift \(shift)")
                }
            }
        }
    }

    @Test(arguments: dtypes)
    func randomBitPatternsAgreeWithTheReference(dtype: DType) throws {
        var random = SplitMix64(seed: 0x5EED_0000 + UInt64(dtype.bitWidth))
        let width = dtype.bitWidth / 8
        for trial in 0..<400 {
            let count = random.below(600)
            var bytes = [UInt8](repeating: 0, count: count * width)
            for index in 0..<count {
                // Mostly finite; about one element in `count` with the exponent all ones.
                var bits = random.next()
                let exponentBits: UInt64 = switch dtype {
                case .f64: 0x7FF0_0000_0000_0000
                case .f32: 0x7F80_0000
                case .f16: 0x7C00
                default: 0x7F80
                }
                if random.below(max(count, 1)) == 0 { bits |= exponentBits } else if bits & exponentBits == exponentBits { bits &= ~(exponentBits & (exponentBits >> 1)) }
                bytes.replaceSubrange((index * width)..<((index + 1) * width), with: Self.element(bits, width: width))
            }
            let shift = random.below(8)
            #expect(try Self.scan(bytes, dtype: dtype, shift: shift) == Self.reference(bytes, dtype: dtype), "\(dtype) trial \(trial)")
        }
    }

    @Test func aTensorIsScannedInPlaceAndOtherDTypesAreRefused() throws {
        let nan = try Tensor(dtype: .bf16, shape: [2, 2], bytes: [0, 0, 0, 0, 0xC0, 0x7F, 0, 0])
        #expect(try nan.firstNonFiniteElement() == NonFiniteElement(index: 2, kind: .nan))
        #expect(try Tensor(dtype: .f32, shape: [0], bytes: []).firstNonFiniteElement() == nil)
        #expect(throws: TensorError.unsupportedDType(.i32)) {
            try Tensor(dtype: .i32, shape: [1], bytes: [0xFF, 0xFF, 0xFF, 0x7F]).firstNonFiniteElement()
        }
        #expect("\(NonFiniteElement(index: 0, kind: .negativeInfinity))" == "-Inf")
    }
}
