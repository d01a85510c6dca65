import LoradTestSupport
import Testing

@testable import LoradDaemon

@Suite struct FdStoreRecordTests {
    static let hashA = String(repeating: "a", count: 64)
    static let hashB = String(repeating: "0123456789abcdef", count: 4)

    static func file(_ path: String = "/models/x/model.safetensors", role: SourceFileIdentity.Role = .weights) -> SourceFileIdentity {
        SourceFileIdentity(
            path: path, role: role, device: 2049, inode: 131_073, size: 1_234_567, modificationSeconds: 1_764_000_000,
            modificationNanoseconds: 123_456_789, sha256: hashA)
    }

    static let sample = FdStoreRecord(
        base: "cogvideox-5b", path: "/models/x", segmentSize: 1_300_000, segmentHeaderSHA256: hashB,
        files: [file("/models/x/m.safetensors.index.json", role: .index), file("/models/x/a.safetensors"), file("/models/x/b \"q\".safetensors")])

    @Test func roundTrips() throws {
        let bytes = Self.sample.encoded()
        #expect(try FdStoreRecord(decoding: bytes) == Self.sample)
        var extreme = Self.sample
        extreme.files = [SourceFileIdentity(
            path: "/ünïcode\n/path", role: .weights, device: .max, inode: .max, size: .max, modificationSeconds: -86_400,
            modificationNanoseconds: 0, sha256: Self.hashA)]
        extreme.segmentSize = .max
        #expect(try FdStoreRecord(decoding: extreme.encoded()) == extreme)
    }

    @Test func encodingIsTheDocumentedJSON() {
        let record = FdStoreRecord(base: "tiny", path: "/m.safetensors", segmentSize: 64, segmentHeaderSHA256: Self.hashB, files: [Self.file("/m.safetensors")])
        let text = String(decoding: record.encoded(), as: UTF8.self)
        #expect(text == """
            {"format":"lorad-fd-store-record","version":1,"base":"tiny","path":"/m.safetensors","segment_size":64,\
            "segment_header_sha256":"\(Self.hashB)","files":[{"path":"/m.safetensors","role":"weights","dev":2049,\
            "ino":131073,"size":1234567,"mtime_sec":1764000000,"mtime_nsec":123456789,"sha256":"\(Self.hashA)"}]}
            """)
    }

    @Test(arguments: [
        ("", "invalid JSON"),
        ("[]", "not a JSON object"),
        ("{\"format\":\"other\",\"version\":1}", "format"),
        ("{\"format\":\"lorad-fd-store-record\",\"version\":2}", "version 2"),
        ("{\"format\":\"lorad-fd-store-record\",\"version\":1}", "no \"base\""),
        ("{\"format\":\"lorad-fd-store-record\",\"version\":1,\"base\":\"../x\"}", "not a valid name"),
        ("{\"format\":\"lorad-fd-store-record\",\"version\":1,\"base\":\"x\",\"path\":\"/p\",\"segment_size\":-1}", "segment_size"),
        ("{\"format\":\"lorad-fd-store-record\",\"version\":1,\"base\":\"x\",\"path\":\"/p\",\"segment_size\":1,\"segment_header_sha256\":\"ABC\"}", "hex"),
        ("{\"format\":\"lorad-fd-store-record\",\"version\":1,\"base\":\"x\",\"path\":\"/p\",\"segment_size\":1,\"segment_header_sha256\":\"\(hashA)\",\"files\":[]}", "0 files"),
        ("{\"format\":\"lorad-fd-store-record\",\"version\":1,\"base\":\"x\",\"path\":\"\",\"segment_size\":1}", "\"path\" has 0 bytes"),
    ])
    func malformedRecordsAreRejected(text: String, expected: String) {
        #expect {
            try FdStoreRecord(decoding: Array(text.utf8))
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func malformedFileEntriesAreRejected() {
        let good = String(decoding: Self.sample.encoded(), as: UTF8.self)
        let cases: [(String, String, String)] = [
            ("\"role\":\"weights\"", "\"role\":\"shard\"", "unknown file role"),
            ("\"mtime_nsec\":123456789", "\"mtime_nsec\":1000000000", "outside"),
            ("\"mtime_sec\":1764000000", "\"mtime_sec\":1.5", "64-bit integer"),
            ("\"ino\":131073", "\"ino\":\"131073\"", "\"ino\" is not"),
            ("\"dev\":2049,", "", "no \"dev\""),
        ]
        for (from, to, expected) in cases {
            let broken = good.replacingOccurrences(of: from, with: to)
            #expect(broken != good)
            #expect {
                try FdStoreRecord(decoding: Array(broken.utf8))
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
        #expect(throws: FdStoreRecordError.self) {
            try FdStoreRecord(decoding: [UInt8](repeating: UInt8(ascii: " "), count: FdStoreRecord.maximumEncodedLength + 1))
        }
        #expect(throws: FdStoreRecordError.self) { try FdStoreRecord(decoding: [0xFF, 0xFE]) }
    }

    @Test func everyTruncationIsRejected() {
        let bytes = Self.sample.encoded()
        for length in 0..<bytes.count {
            #expect(throws: FdStoreRecordError.self) { try FdStoreRecord(decoding: Array(bytes.prefix(length))) }
        }
    }

    /// Seeded random mutations never trap: each mutant decodes or is rejected.
    @Test func randomMutationsNeverTrap() {
        var generator = SplitMix64(seed: 0x5EED_FD50)
        let bytes = Self.sample.encoded()
        var decoded = 0
        for _ in 0..<3000 {
            var mutant = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<mutant.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: mutant[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: mutant.remove(at: position)
                default: mutant.insert(UInt8.random(in: 0...255, using: &generator), at: position)
                }
            }
            if (try? FdStoreRecord(decoding: mutant)) != nil { decoded += 1 }
        }
        #expect(decoded < 3000)
    }

    @Test func matchingFilesMatch() {
        #expect(Self.sample.mismatch(name: "cogvideox-5b", path: "/models/x", current: Self.sample.files) == nil)
    }

    @Test func everyDifferenceIsAMismatch() {
        let record = Self.sample
        func changed(_ change: (inout SourceFileIdentity) -> Void) -> [SourceFileIdentity] {
            var files = record.files
            change(&files[1])
            return files
        }
        let cases: [(String, String, [SourceFileIdentity], String)] = [
            ("other", "/models/x", record.files, "the record is for base cogvideox-5b"),
            ("cogvideox-5b", "/models/y", record.files, "configured path changed"),
            ("cogvideox-5b", "/models/x", Array(record.files.prefix(2)), "2 file(s) now"),
            ("cogvideox-5b", "/models/x", changed { $0.modificationNanoseconds += 1 }, "was modified"),
            ("cogvideox-5b", "/models/x", changed { $0.modificationSeconds += 1 }, "was modified"),
            ("cogvideox-5b", "/models/x", changed { $0.size -= 1 }, "changed size"),
            ("cogvideox-5b", "/models/x", changed { $0.inode += 1 }, "another file now"),
            ("cogvideox-5b", "/models/x", changed { $0.device += 1 }, "another file now"),
            ("cogvideox-5b", "/models/x", changed { $0.sha256 = Self.hashB }, "another safetensors header"),
            ("cogvideox-5b", "/models/x", changed { $0.path = "/models/x/c.safetensors" }, "file list changed"),
            ("cogvideox-5b", "/models/x", changed { $0.role = .index }, "changed role"),
        ]
        for (name, path, current, expected) in cases {
            let reason = record.mismatch(name: name, path: path, current: current)
            #expect(reason?.contains(expected) == true, "\(expected): \(reason ?? "nil")")
        }
    }

    @Test func mtimeTextPadsNanoseconds() {
        var file = Self.file()
        file.modificationNanoseconds = 5
        #expect(file.mtimeText == "1764000000.000000005")
    }
}
