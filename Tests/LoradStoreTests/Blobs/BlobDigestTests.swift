import Testing

@testable import LoradStore

@Suite struct BlobDigestTests {
    @Test func knownSHA256Vectors() {
        #expect(BlobDigest(of: []).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(BlobDigest(of: Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(BlobDigest(of: Array("abc".utf8)).description == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func parsesOnlyLowercaseHexOfLength64() {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        #expect(BlobDigest(hex: hex)?.hex == hex)
        #expect(BlobDigest(hex: hex.uppercased()) == nil)
        #expect(BlobDigest(hex: String(hex.dropLast())) == nil)
        #expect(BlobDigest(hex: hex + "0") == nil)
        #expect(BlobDigest(hex: String(hex.dropLast()) + "g") == nil)
        #expect(BlobDigest(hex: "../" + String(hex.dropFirst(3))) == nil)
    }
}
