import Testing
@testable import LoradStore

@Suite struct XXH64Tests {
    /// Expected values from the spec (empty input) and from `xxhsum -H1` (Debian xxhash).
    @Test(arguments: [
        ("", 0xEF46_DB37_51D8_E999),
        ("a", 0xD24E_C4F1_A98C_6E5B),
        ("abc", 0x44BC_2CF5_AD77_0999),
        ("Nobody inspects the spammish repetition", 0xFBCE_A83C_8A37_8BF1),
    ] as [(String, UInt64)])
    func knownStrings(input: String, expected: UInt64) {
        #expect(XXH64.hash(Array(input.utf8)) == expected)
    }

    /// Lengths around the 32-byte stripe and the 8/4/1-byte tails.
    @Test func knownLengths() {
        #expect(XXH64.hash(Array(0..<31)) == 0xC346_D2B5_9B4D_8EE1)
        #expect(XXH64.hash(Array(0..<32)) == 0xCBF5_9C51_16FF_32B4)
        #expect(XXH64.hash(Array(0..<37)) == 0xD93F_A2DF_EE5C_24C9)
        let sequence = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        #expect(XXH64.hash(sequence) == 0x5F23_5FA0_33F1_A3FB)
    }

    @Test func unalignedInputGivesSameHash() {
        let bytes = [UInt8](repeating: 0, count: 1) + (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        let hash = bytes.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[1...])) }
        #expect(hash == 0x5F23_5FA0_33F1_A3FB)
    }

    @Test func seedChangesHash() {
        #expect(XXH64.hash([], seed: 1) != XXH64.hash([], seed: 0))
    }
}
