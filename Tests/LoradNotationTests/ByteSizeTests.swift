import Testing

@testable import LoradNotation

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("1073741824", 1_073_741_824), ("0", 0), ("1_048_576", 1_048_576), ("512B", 512), ("512 b", 512),
        ("1K", 1024), ("1k", 1024), ("1KiB", 1024), ("1kib", 1024), ("512M", 536_870_912), ("512MiB", 536_870_912),
        ("32G", 34_359_738_368), ("32GiB", 34_359_738_368), ("32 GiB", 34_359_738_368), (" 2T ", 2_199_023_255_552),
        ("1TiB", 1_099_511_627_776), ("1KB", 1000), ("64MB", 64_000_000), ("2GB", 2_000_000_000), ("1TB", 1_000_000_000_000),
        ("1.5GiB", 1_610_612_736), ("0.5K", 512), ("1.001K", 1025), ("2.25 MiB", 2_359_296),
        ("8388607TiB", 9_223_370_937_343_148_032),
    ])
    func parses(text: String, bytes: Int) throws {
        #expect(try ByteSize.parse(text) == bytes)
    }

    @Test(arguments: [
        ("", "a size cannot be empty; "),
        ("GiB", "\"GiB\" is not a size; "),
        ("-1G", "size \"-1G\" is negative; "),
        ("32 GX", "\"32 GX\" has an unknown unit; "),
        ("32GiBs", "\"32GiBs\" has an unknown unit; "),
        ("1.5", "size \"1.5\" is not a whole number of bytes"),
        ("1.", "\"1.\" is not a size; "),
        ("1.2345G", "size \"1.2345G\" is too large or has more than 3 decimals"),
        ("8388608TiB", "size \"8388608TiB\" is too large or has more than 3 decimals"),
        ("99999999999999999999", "\"99999999999999999999\" is not a size; "),
        ("0x10", "\"0x10\" has an unknown unit; "),
    ])
    func rejects(text: String, start: String) {
        do {
            let bytes = try ByteSize.parse(text)
            Issue.record("\(text.debugDescription) parsed as \(bytes)")
        } catch {
            #expect(error.reason.hasPrefix(start), "\(error.reason)")
            #expect(!error.reason.contains("\n"))
        }
    }

    @Test func usageIsSpelledOut() {
        #expect(throws: ConfigValueError(
            "\"32 GX\" has an unknown unit; write a number of bytes (1073741824) or a number with a unit: K, M, G, T (powers of 1024, also written KiB, MiB, GiB, TiB) or KB, MB, GB, TB (powers of 1000)")
        ) { try ByteSize.parse("32 GX") }
    }

    @Test func formats() {
        #expect(ByteSize.format(0) == "0 bytes")
        #expect(ByteSize.format(1) == "1 byte")
        #expect(ByteSize.format(1023) == "1023 bytes")
        #expect(ByteSize.format(1024) == "1KiB")
        #expect(ByteSize.format(536_870_912) == "512MiB")
        #expect(ByteSize.format(34_359_738_368) == "32GiB")
        #expect(ByteSize.format(1_610_612_736) == "1.50GiB")
        #expect(ByteSize.format(1_073_741_824 + 10_737_419) == "1.01GiB")
        #expect(ByteSize.format(1_073_741_824 + 10_737_418) == "1.00GiB")
        #expect(ByteSize.format(2 * ByteSize.tebibyte) == "2TiB")
        #expect(ByteSize.format(Int.max) == "8388607.99TiB")
    }
}
