/// The identity systemd announces in `$JOURNAL_STREAM` when it connects a
/// service's stdout or stderr to the journal: `"<device>:<inode>"`, both decimal.
///
/// A process whose standard error has this device and inode writes to the
/// journal and should log natively instead (the variable is inherited, so a
/// match, not its presence, is what counts).
public struct JournalStream: Sendable, Hashable {
    /// The `st_dev` of the journal's stream socket.
    public var device: UInt64
    /// The `st_ino` of the journal's stream socket.
    public var inode: UInt64

    /// A stream identity from its device and inode numbers.
    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// Parses `$JOURNAL_STREAM`; nil when `value` is nil or not two decimal
    /// numbers separated by one colon.
    public init?(environmentValue value: String?) {
        guard let value else { return nil }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }),
              let device = UInt64(parts[0]), let inode = UInt64(parts[1])
        else { return nil }
        self.device = device
        self.inode = inode
    }

    /// True when a file with `device` and `inode` (from `fstat`) is this stream.
    public func matches(device: UInt64, inode: UInt64) -> Bool {
        self.device == device && self.inode == inode
    }
}
