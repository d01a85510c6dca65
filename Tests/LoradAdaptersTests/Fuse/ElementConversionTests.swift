@testable import LoradAdapters
import LoradTestSupport
import Testing

@Test func halfWideningMatchesFloat16ForAllBitPatterns() {
    for bits in 0...UInt16.max {
        let expected = Float(Float16(bitPattern: bits))
        let got = ElementConversion.float(half: bits)
        if expected.isNaN {
            #expect(got.isNaN && got.sign == expected.sign, "\(bits)")
            // Widening keeps the payload, so narrowing gives the same NaN back (quieted).
            #expect(ElementConversion.half(got) == bits | 0x0200, "\(bits)")
        } else {
            #expect(got.bitPattern == expected.bitPattern, "\(bits)")
            #expect(ElementConversion.half(got) == bits, "\(bits)")
        }
    }
}

@Test func halfNarrowingMatchesFloat16OnRandomFloats() {
    var rng = SplitMix64(seed: 77)
    for _ in 0..<200_000 {
        let raw = UInt32(truncatingIfNeeded: rng.next())
        // Half the samples near F16's range, where the rounding cases are.
        let bits = raw & 0x8000_0000 == 0 ? raw : (raw & 0x83FF_FFFF) | 0x3000_0000
        let value = Float(bitPattern: bits)
        let got = ElementConversion.half(value)
        if value.isNaN {
            #expect(Float16(bitPattern: got).isNaN)
        } else {
            #expect(got == Float16(value).bitPattern, "\(value)")
        }
    }
}

@Test func bfloat16RoundTripsAndRoundsToNearestEven() {
    for bits in 0...UInt16.max {
        let value = ElementConversion.float(bfloat16: bits)
        #expect(ElementConversion.bfloat16(value) == (value.isNaN ? bits | 0x0040 : bits))
    }
    #expect(ElementConversion.bfloat16(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie to even (down)
    #expect(ElementConversion.bfloat16(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie to even (up)
    #expect(ElementConversion.bfloat16(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
    #expect(ElementConversion.bfloat16(.greatestFiniteMagnitude) == 0x7F80)
    #expect(ElementConversion.bfloat16(Float(bitPattern: 0x7F80_0001)) == 0x7FC0)  // NaN stays NaN
}

@Test func roundingToOddKeepsStickyInformation() {
    #expect(ElementConversion.floatRoundedToOdd(1.5) == 1.5)
    let justAbove = ElementConversion.floatRoundedToOdd(1 + 0x1p-30)
    #expect(justAbove.bitPattern == Float(1).bitPattern | 1)
    let justBelow = ElementConversion.floatRoundedToOdd(-(2 - 0x1p-30))
    #expect(justBelow.bitPattern == (-Float(2).nextDown).bitPattern)
    #expect(ElementConversion.floatRoundedToOdd(1e300) == .greatestFiniteMagnitude)
    #expect(ElementConversion.floatRoundedToOdd(.infinity) == .infinity)
    #expect(ElementConversion.floatRoundedToOdd(.nan).isNaN)
}
