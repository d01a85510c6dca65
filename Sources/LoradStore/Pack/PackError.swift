/// Why a pack could not be written, read or decoded. Each case's `description` is one
/// line saying what was wrong and what to do; errors about one tensor name it.
public enum PackError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The bytes do not start with "LORAPACK".
    case badMagic
    /// The header's format version is not one this build reads.
    case unsupportedVersion(UInt16)
    /// The header sets flag bits this build does not know.
    case unsupportedFlags(UInt16)
    /// The buffer is shorter than the header says (`needed` > `available` bytes).
    case truncated(needed: Int, available: Int)
    /// The buffer is longer than the pack length in its header.
    case trailingBytes(declared: Int, actual: Int)
    /// The XXH64 of header + manifest does not match the stored one.
    case manifestChecksumMismatch(stored: UInt64, computed: UInt64)
    /// The manifest passed its checksum but breaks a rule of the format.
    case malformedManifest(String)
    /// The pack is valid but asks for more than the reader's `PackLimits` allow.
    case limitExceeded(String)
    /// No tensor of that name is in the pack.
    case tensorNotFound(String)
    /// A tensor's frames do not decode to what its manifest entry says.
    case corruptTensor(name: String, detail: String)
    /// A tensor decoded, but its bytes do not match the XXH64 in the manifest.
    case checksumMismatch(tensor: String, stored: UInt64, computed: UInt64)
    /// PackWriter was given something it cannot store.
    case invalidInput(String)
    /// libzstd failed while compressing (allocation or parameter errors).
    case compressionFailed(String)
    /// libzstd could not allocate a decompression context.
    case outOfMemory(String)

    /// The tensor an error is about, if it is about one.
    public var tensorName: String? {
        switch self {
        case .corruptTensor(let name, _), .checksumMismatch(let name, _, _), .tensorNotFound(let name): name
        default: nil
        }
    }

    /// One line: what was wrong and what to do.
    public var description: String {
        switch self {
        case .badMagic:
            return "not a lorad pack (bad magic); the file is something else or its first bytes are damaged: re-import the adapter"
        case .unsupportedVersion(let version):
            return "pack format version \(version) is not supported (this lorad reads version \(PackFormat.version)); upgrade lorad or re-import the adapter"
        case .unsupportedFlags(let flags):
            return "pack header has unknown flags 0x\(String(flags, radix: 16)); it was written by a newer lorad: upgrade to read it"
        case .truncated(let needed, let available):
            return "pack is truncated: it needs \(needed) bytes but has \(available); the file was cut short: re-import the adapter"
        case .trailingBytes(let declared, let actual):
            return "pack has \(actual) bytes but its header says \(declared); the file has trailing bytes or a damaged header: re-import the adapter"
        case .manifestChecksumMismatch(let stored, let computed):
            return "pack manifest is corrupt (checksum \(Self.hex(stored)) stored, \(Self.hex(computed)) computed); re-import the adapter"
        case .malformedManifest(let detail):
            return "pack manifest is malformed: \(detail); the pack is corrupt or not written by lorad: re-import the adapter"
        case .limitExceeded(let detail):
            return "pack exceeds a reader limit: \(detail); raise PackLimits only if the pack is trusted"
        case .tensorNotFound(let name):
            return "no tensor named '\(name)' in the pack; check the name against the pack's manifest"
        case .corruptTensor(let name, let detail):
            return "tensor '\(name)' in the pack is corrupt: \(detail); re-import the adapter"
        case .checksumMismatch(let name, let stored, let computed):
            return "tensor '\(name)' in the pack is corrupt (checksum \(Self.hex(stored)) stored, \(Self.hex(computed)) computed); re-import the adapter"
        case .invalidInput(let detail):
            return "cannot write pack: \(detail)"
        case .compressionFailed(let detail):
            return "cannot write pack: \(detail)"
        case .outOfMemory(let detail):
            return "cannot read pack: \(detail); free memory and retry"
        }
    }
}

extension PackError {
    /// `value` as 0x and 16 hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The failure recorded for a tensor ``Parallel`` did not run (it runs every one).
    static let jobDidNotRun = PackError.compressionFailed("internal error: a parallel job did not run")
}
