import LoradTensors
import Testing

@testable import LoradStore

@Suite struct BaseFingerprintTests {
    // Golden values from Python: hashlib.sha256(text.encode()).hexdigest() of the
    // canonical text documented on BaseFingerprint.
    @Test func goldenValue() {
        let tensors: [(name: String, dtype: DType, shape: [Int])] = [
            ("transformer_blocks.0.attn1.to_q.weight", .bf16, [3072, 3072]),
            ("b", .f32, []),
            ("a.bias", .f16, [7]),
            ("Z", .i64, [2, 3, 4]),
        ]
        // 'Z\tI64\t2,3,4\na.bias\tF16\t7\nb\tF32\t\ntransformer_blocks.0.attn1.to_q.weight\tBF16\t3072,3072\n'
        #expect(BaseFingerprint.compute(tensors: tensors) == "0d937e5d3da5064974dda013dee14ff874e766166c5669cbf8f9e4ef34294f12")
        #expect(BaseFingerprint.compute(tensors: tensors.reversed()) == BaseFingerprint.compute(tensors: tensors))
    }

    @Test func sortsByUTF8BytesNotByUnicodeOrder() {
        // Swift's String order normalises "e\u{301}" to "é"; byte order does not.
        let tensors: [(name: String, dtype: DType, shape: [Int])] = [("\u{e9}x", .f32, [1]), ("e\u{301}y", .f32, [2])]
        #expect(BaseFingerprint.compute(tensors: tensors) == "cd56821410083ee2c949281ecf112177a5bfdf53889f6fc39613c788b9245e09")
    }

    @Test func emptyBaseIsHashOfEmptyText() {
        #expect(BaseFingerprint.compute(tensors: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func dtypeAndShapeChangeTheFingerprint() {
        let base = BaseFingerprint.compute(tensors: [("w", .bf16, [4, 4])])
        #expect(BaseFingerprint.compute(tensors: [("w", .f16, [4, 4])]) != base)
        #expect(BaseFingerprint.compute(tensors: [("w", .bf16, [16])]) != base)
        #expect(BaseFingerprint.compute(tensors: [("w", .bf16, [44])]) != BaseFingerprint.compute(tensors: [("w", .bf16, [4, 4])]))
        #expect(BaseFingerprint.isValid(base))
        #expect(!BaseFingerprint.isValid(base.uppercased()))
    }
}
