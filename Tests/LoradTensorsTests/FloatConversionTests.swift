import LoradTensors
import LoradTestSupport
import Testing

/// Converts through the public bulk API.
func converted32(_ bytes: [UInt8], _ dtype: DType) throws -> [Float] {
    let size = dtype.bitWidth / 8
    var out = [Float](repeating: 0, count: bytes.count / size)
    try bytes.withUnsafeBytes { source in
        try out.withUnsafeMutableBufferPointer { try FloatConversion.toFloat32(source, dtype: dtype, into: $0) }
    }
    return out
}

func converted64(_ bytes: [UInt8], _ dtype: DType) throws -> [Double] {
    let size = dtype.bitWidth / 8
    var out = [Double](repeating: 0, count: bytes.count / size)
    try bytes.withUnsafeBytes { source in
        try out.withUnsafeMutableBufferPointer { try FloatConversion.toFloat64(source, dtype: dtype, into: $0) }
    }
    return out
}

func stored(_ values: [Float], _ dtype: DType) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: values.count * dtype.bitWidth / 8)
    try values.withUnsafeBufferPointer { source in
        try out.withUnsafeMutableBytes { try FloatConversion.fromFloat32(source, to: dtype, into: $0) }
    }
    return out
}

func stored(_ values: [Double], _ dtype: DType) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: values.count * dtype.bitWidth / 8)
    try values.withUnsafeBufferPointer { source in
        try out.withUnsafeMutableBytes { try FloatConversion.fromFloat64(source, to: dtype, into: $0) }
    }
    return out
}

func halves(_ bytes: [UInt8]) -> [UInt16] {
    stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }
}

func halfBytes(_ patterns: [UInt16]) -> [UInt8] { patterns.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }

/// The value of a 16-bit pattern, with the pattern just past the largest finite
/// value standing for the next power of two (so ties at the top are testable).
func value(of pattern: UInt16, _ dtype: DType) -> Double {
    switch dtype {
    case .bf16: pattern == 0x7F80 ? 0x1p128 : BFloat16(bitPattern: pattern).double
    default: pattern == 0x7C00 ? 65536 : Double(Float16(bitPattern: pattern))
    }
}

@Suite struct FloatConversionTests {
    static let allPatterns = (0...UInt16.max).map { $0 }

    @Test(arguments: [DType.bf16, DType.f16])
    func everyPatternRoundTrips(dtype: DType) throws {
        let bytes = halfBytes(Self.allPatterns)
        let floats = try converted32(bytes, dtype)
        let doubles = try converted64(bytes, dtype)
        let back32 = halves(try stored(floats, dtype))
        let back64 = halves(try stored(doubles, dtype))
        for pattern in Self.allPatterns {
            let i = Int(pattern)
            let reference = dtype == .bf16 ? BFloat16(bitPattern: pattern).float : Float(Float16(bitPattern: pattern))
            let isNaN = reference.isNaN
            #expect(floats[i].isNaN == isNaN)
            #expect(doubles[i].isNaN == isNaN)
            if isNaN {
                let quietBit: UInt16 = dtype == .bf16 ? 0x0040 : 0x0200
                #expect(back32[i] & quietBit != 0 && back32[i] & 0x7FFF > (dtype == .bf16 ? 0x7F80 : 0x7C00), "\(pattern)")
                #expect(back32[i] & 0x8000 == pattern & 0x8000)
                #expect(back64[i] & 0x7FFF > (dtype == .bf16 ? 0x7F80 : 0x7C00))
            } else {
                #expect(floats[i].bitPattern == reference.bitPattern, "pattern \(pattern)")
                #expect(doubles[i].bitPattern == Double(reference).bitPattern, "pattern \(pattern)")
                #expect(back32[i] == pattern, "pattern \(pattern)")
                #expect(back64[i] == pattern, "pattern \(pattern)")
            }
        }
    }

    @Test(arguments: [DType.bf16, DType.f16])
    func tiesRoundToEvenOnceFromFloatAndDouble(dtype: DType) throws {
        let top: UInt16 = dtype == .bf16 ? 0x7F80 : 0x7C00
        var midpoints32: [Float] = []
        var exactMidpoints = true
        var above: [Double] = []
        var below: [Double] = []
        var expectedTie: [UInt16] = []
        var lower: [UInt16] = []
        for pattern in 0..<top {
            let a = value(of: pattern, dtype)
            let b = value(of: pattern + 1, dtype)
            let midpoint = (a + b) / 2
            let tiny = (b - a) * 0x1p-30
            for sign in [1.0, -1.0] {
                midpoints32.append(Float(sign * midpoint))
                exactMidpoints = exactMidpoints && Double(Float(sign * midpoint)) == sign * midpoint
                above.append(sign * (midpoint + tiny))
                below.append(sign * (midpoint - tiny))
                let signBit: UInt16 = sign < 0 ? 0x8000 : 0
                expectedTie.append((pattern & 1 == 0 ? pattern : pattern + 1) | signBit)
                lower.append(pattern | signBit)
            }
        }
        // Float(midpoint) is exact: the midpoint needs one more bit than the dtype.
        #expect(exactMidpoints)
        let ties = halves(try stored(midpoints32, dtype))
        let tiesFromDouble = halves(try stored(midpoints32.map(Double.init), dtype))
        let ups = halves(try stored(above, dtype))
        let downs = halves(try stored(below, dtype))
        // Through Float these would double-round to the even neighbour; from
        // Double they must round once, away from the midpoint.
        let naive = halves(try stored(above.map { Float($0) }, dtype))
        var doubleRoundingCases = 0
        for i in ties.indices {
            #expect(ties[i] == expectedTie[i], "tie \(i)")
            #expect(tiesFromDouble[i] == expectedTie[i], "tie from double \(i)")
            #expect(ups[i] == lower[i] + 1, "above \(i)")
            #expect(downs[i] == lower[i], "below \(i)")
            if naive[i] != ups[i] { doubleRoundingCases += 1 }
        }
        #expect(doubleRoundingCases > 1000)
    }

    @Test(arguments: [DType.bf16, DType.f16])
    func randomDoublesRoundToNearestAgainstDoubleReference(dtype: DType) throws {
        var random = SplitMix64(seed: dtype == .bf16 ? 1 : 2)
        let maximum = dtype == .bf16 ? 3.3e38 : 65000.0
        let values: [Double] = (0..<20_000).map { i in
            let magnitude = Double(bitPattern: random.next() >> 12 | 0x3FF0_0000_0000_0000) - 1  // [0, 1)
            let exponent = Double(random.below(60) - 40)
            let x = min(maximum, magnitude * Double.pow2(exponent) * (dtype == .bf16 ? 1e30 : 1))
            return i % 2 == 0 ? x : -x
        }
        let results = halves(try stored(values, dtype))
        for (x, bits) in zip(values, results) {
            let chosen = value(of: bits & 0x7FFF, dtype)
            let error = abs(abs(x) - chosen)
            for neighbour in [bits & 0x7FFF &- 1, bits & 0x7FFF &+ 1] where neighbour < (dtype == .bf16 ? 0x7F80 : 0x7C00) {
                let other = abs(abs(x) - value(of: neighbour, dtype))
                #expect(error < other || (error == other && bits & 1 == 0), "x \(x) -> \(bits)")
            }
        }
    }

    @Test func overflowAndSpecialValues() throws {
        let inputs: [Float] = [.infinity, -.infinity, 65520, 65519.99, .greatestFiniteMagnitude, -0.0, .nan, 1e-8, 3e-8]
        #expect(halves(try stored(inputs, .f16)) == [0x7C00, 0xFC00, 0x7C00, 0x7BFF, 0x7C00, 0x8000, 0x7E00, 0x0000, 0x0001])
        #expect(halves(try stored(inputs, .bf16))[0...5] == [0x7F80, 0xFF80, 0x4780, 0x4780, 0x7F80, 0x8000])
        #expect(halves(try stored([Double.greatestFiniteMagnitude, -1e300, 1e-300, .nan], .bf16)) == [0x7F80, 0xFF80, 0x0000, 0x7FC0])
        #expect(halves(try stored([Double.greatestFiniteMagnitude, 1e-300], .f16)) == [0x7C00, 0x0000])
        #expect(BFloat16(Float.nan).isNaN)
        #expect(BFloat16(1.0 as Double).bitPattern == 0x3F80)
        #expect(BFloat16(bitPattern: 0x4049).description == "3.140625")
        #expect(try stored([1.5, -2] as [Float], .f64) == stored([1.5, -2] as [Double], .f64))
        #expect(try converted32(stored([1e300, 1.25] as [Double], .f64), .f64) == [.infinity, 1.25])
        #expect(try converted64(stored([1.25, -3] as [Float], .f32), .f32) == [1.25, -3])
    }

    @Test func unalignedSourcesAndDestinations() throws {
        let values: [Float] = [1, -2.5, 3.25, 1e-3, 7]
        for dtype in [DType.f64, .f32, .f16, .bf16] {
            let bytes = try stored(values, dtype)
            let shifted = [0xAA] + bytes
            let back = try shifted.withUnsafeBytes { raw in
                var out = [Float](repeating: 0, count: values.count)
                try out.withUnsafeMutableBufferPointer {
                    try FloatConversion.toFloat32(UnsafeRawBufferPointer(rebasing: raw[1...]), dtype: dtype, into: $0)
                }
                return out
            }
            #expect(back == (try converted32(bytes, dtype)))
            var target = [UInt8](repeating: 0, count: bytes.count + 1)
            try values.withUnsafeBufferPointer { source in
                try target.withUnsafeMutableBytes {
                    try FloatConversion.fromFloat32(source, to: dtype, into: UnsafeMutableRawBufferPointer(rebasing: $0[1...]))
                }
            }
            #expect(Array(target[1...]) == bytes)
        }
    }

    @Test func rejectsUnsupportedTypesAndWrongCounts() {
        var out = [Float](repeating: 0, count: 2)
        let bytes: [UInt8] = [1, 2, 3, 4]
        #expect(throws: TensorError.unsupportedDType(.i16)) {
            try bytes.withUnsafeBytes { src in try out.withUnsafeMutableBufferPointer { try FloatConversion.toFloat32(src, dtype: .i16, into: $0) } }
        }
        #expect(throws: TensorError.elementCountMismatch(source: 1, destination: 2)) {
            try bytes.withUnsafeBytes { src in try out.withUnsafeMutableBufferPointer { try FloatConversion.toFloat32(src, dtype: .f32, into: $0) } }
        }
        #expect(throws: TensorError.self) { _ = try stored([1.0] as [Float], .u8) }
        #expect(TensorError.unsupportedDType(.u8).description.hasPrefix("unsupported dtype for arithmetic: U8"))
    }
}

extension Double {
    static func pow2(_ exponent: Double) -> Double { Double(sign: .plus, exponent: Int(exponent), significand: 1) }
}
