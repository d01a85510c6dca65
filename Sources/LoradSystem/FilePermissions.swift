import Glibc

/// The permission bits of a file (`mode_t`), written as an octal literal:
/// `let p: FilePermissions = 0o644`.
///
/// The process umask still applies when a file is created with these bits.
public struct FilePermissions: OptionSet, Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The raw `mode_t` bits (only the low 12 are meaningful).
    public var rawValue: UInt32

    /// Makes permissions from raw `mode_t` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Makes permissions from an octal literal such as `0o600`.
    public init(integerLiteral value: UInt32) { self.rawValue = value }

    /// `0o600`: read and write for the owner only.
    public static let ownerReadWrite: FilePermissions = 0o600
    /// `0o644`: owner read/write, everyone else read.
    public static let defaultFile: FilePermissions = 0o644
    /// `0o755`: the usual folder permissions.
    public static let defaultDirectory: FilePermissions = 0o755

    /// The bits as `ls -l`'s octal: `0o644`.
    public var description: String { "0o" + String(rawValue & 0o7777, radix: 8) }
}
