import LoradServer
import LoradSystem
import LoradTensors
import LoradWire
import Synchronization

/// A sealed memfd holding one valid safetensors file: a base model, one adapter's factors,
/// or a fused overlay. Immutable once made (sealed `F_SEAL_WRITE | F_SEAL_SHRINK |
/// F_SEAL_GROW | F_SEAL_SEAL`), so it can be handed to any number of clients.
///
/// The segment owns its descriptor and closes it in `deinit`; mappings made from it (by the
/// daemon or by clients that received a copy) stay valid after that. Replies pass it by
/// holding a reference (``PassedDescriptor``): the cache, sessions and replies in flight share
/// it, and the descriptor closes when the last of them lets go. Made by ``SegmentBuilder``.
public final class Segment: PassedDescriptor {
    /// Unique for the daemon's lifetime (never reused): equal ids mean identical bytes.
    public let id: UInt64
    /// What the segment holds.
    public let kind: SegmentKind
    /// A human-readable key (base name, adapter digest, overlay description), for logs.
    public let key: String
    /// A read-only descriptor of the sealed memfd. Owned by the segment: do not close it.
    public var fd: FileDescriptor { owned.descriptor }
    /// The segment's ownership of ``fd``: closed when the last reference to the segment goes.
    private let owned: OwnedFileDescriptor
    /// The file's size in bytes (the length a client maps).
    public let byteSize: Int

    /// Wraps a sealed memfd that holds `byteSize` bytes; takes ownership of `fd`.
    init(kind: SegmentKind, key: String, fd: FileDescriptor, byteSize: Int) {
        self.id = Segment.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.kind = kind
        self.key = key
        self.owned = OwnedFileDescriptor(fd)
        self.byteSize = byteSize
    }

    /// Maps the whole segment read-only (`PROT_READ`, `MAP_SHARED`). The mapping outlives
    /// the segment.
    /// - Throws: ``SystemError`` from `mmap`.
    public func map() throws(SystemError) -> MappedRegion {
        try withExtendedLifetime(self) { () throws(SystemError) in
            try MappedRegion(fileDescriptor: fd, offset: 0, length: byteSize)
        }
    }

    /// Maps the segment and parses it as a safetensors file, zero-copy.
    /// - Throws: ``SystemError`` from `mmap`, ``SafetensorsError`` (never for a segment
    ///   this daemon built).
    public func safetensors() throws -> SafetensorsFile {
        try SafetensorsFile(storage: TensorStorage(region: map()), name: "/memfd:lorad-\(kind)-\(key)")
    }

    /// The wire descriptor of this segment, naming adapter `adapterIndex` for a factors
    /// segment. Its `fd` field holds this segment's descriptor number: a reply that carries it
    /// must hold the segment (``HandlerReply/descriptors``), and the encoder writes the index.
    public func descriptor(adapterIndex: Int? = nil) -> SegmentDescriptor {
        SegmentDescriptor(
            kind: kind, segmentID: id, byteSize: UInt64(byteSize), fd: fd.rawValue,
            adapterIndex: adapterIndex.map { UInt16(truncatingIfNeeded: $0) })
    }

    private static let nextID = Atomic<UInt64>(1)
}
