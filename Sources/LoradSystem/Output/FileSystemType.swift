/// A file system type as `fstatfs` reports it (`f_type`, the kernel's `*_SUPER_MAGIC`), and
/// whether a write to one of its files can wait without bound.
///
/// Local disk file systems and tmpfs finish a write in bounded time; a file system served
/// by another process or another machine (FUSE, NFS, SMB, 9P, Ceph, AFS...) can keep a
/// write waiting as long as its server does not answer, in a sleep that only SIGKILL ends.
/// lorad refuses to write a client's output there (see `DaemonCore`'s output), and loractl
/// puts a pipe in between.
public struct FileSystemType: Sendable, Hashable, CustomStringConvertible {
    /// The `f_type` value.
    public var magic: UInt64

    /// Wraps an `f_type` value.
    public init(magic: UInt64) { self.magic = magic }

    /// The file systems whose writes can wait without bound, by `f_type`, with their names.
    public static let unbounded: [UInt64: String] = [
        0x6573_5546: "FUSE",
        0x6969: "NFS",
        0x517B: "SMB",
        0xFF53_4D42: "CIFS",
        0xFE53_4D42: "SMB2",
        0x0102_1997: "9P",
        0x00C3_6400: "Ceph",
        0x5346_414F: "AFS",
        0x6B41_4653: "kAFS",
        0x7375_7245: "Coda",
        0x2003_0528: "OrangeFS",
        0x0BD0_0BD0: "Lustre",
        0x4750_4653: "GPFS",
        0x564C: "NCP",
    ]

    /// True when a write to a file on it can wait as long as a server (a process or another
    /// machine) does not answer: the file systems in ``unbounded``.
    public var writesMayWaitWithoutBound: Bool { Self.unbounded[magic] != nil }

    /// The name for a file system in ``unbounded`` (`FUSE`, `NFS`...), else `type 0x...`.
    public var description: String {
        Self.unbounded[magic] ?? "type 0x" + String(magic, radix: 16)
    }
}
