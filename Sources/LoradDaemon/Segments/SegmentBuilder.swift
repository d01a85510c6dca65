import LoradSystem
import LoradTensors
import LoradWire

/// Makes ``Segment``s: creates a memfd, sizes it, maps it writable, lets a closure fill it,
/// unmaps it and seals it `F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL`.
///
/// The writable mapping is gone before `F_SEAL_WRITE` is added (the kernel refuses the seal
/// with `EBUSY` while one exists), so once a segment is returned nobody, the daemon included,
/// can change its bytes. On any failure the memfd is closed and nothing is left behind.
/// The `SegmentBuilder+*.swift` extensions build the three kinds of segment from models and
/// adapters.
public enum SegmentBuilder {
    /// Builds a segment of `byteSize` bytes filled by `fill` (the memfd starts zeroed).
    ///
    /// - Parameters:
    ///   - kind: what the segment holds.
    ///   - key: its human-readable key; the memfd is named `lorad-<kind>-<key>`.
    ///   - byteSize: the file size in bytes (at least 1).
    ///   - fill: writes the bytes; must not keep the buffer.
    /// - Throws: ``SystemError`` from `memfd_create`, `ftruncate`, `mmap` or `fcntl`, or
    ///   whatever `fill` throws.
    public static func build(
        kind: SegmentKind, key: String, byteSize: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void
    ) throws -> Segment {
        try buildByWriting(kind: kind, key: key, byteSize: byteSize) { fd in
            let region = try MutableMappedRegion(fileDescriptor: fd, length: byteSize)
            defer { region.unmap() }
            try region.withUnsafeMutableBytes { try fill($0) }
        }
    }

    /// Builds a segment of `byteSize` bytes that `write` fills through the memfd's
    /// descriptor (`pwrite`; ranges it leaves alone read as zeros).
    ///
    /// For bytes that are copied from elsewhere, writing is about twice as fast as filling a
    /// writable mapping: the kernel need not zero each new page before it is overwritten
    /// (Benchmarks/daemon: a 4 GB base loads in about half the time).
    ///
    /// - Parameters:
    ///   - kind: what the segment holds.
    ///   - key: its human-readable key; the memfd is named `lorad-<kind>-<key>`.
    ///   - byteSize: the file size in bytes (at least 1).
    ///   - write: writes the bytes into the descriptor, which it must neither keep nor close.
    /// - Throws: ``SystemError`` from `memfd_create`, `ftruncate`, `fcntl` or the writes, or
    ///   whatever `write` throws.
    public static func buildByWriting(
        kind: SegmentKind, key: String, byteSize: Int, write: (FileDescriptor) throws -> Void
    ) throws -> Segment {
        let fd = try sealedMemfd(name: memfdName(kind: kind, key: key), byteSize: byteSize, write: write)
        return Segment(kind: kind, key: key, fd: fd, byteSize: byteSize)
    }

    /// A memfd named `name` of `byteSize` bytes, filled by `write`, sealed
    /// ``Memfd/Seals/immutable``; returns a read-only descriptor of it (the caller owns it).
    /// - Throws: what `write` throws, ``SystemError``; nothing is left open then.
    static func sealedMemfd(name: String, byteSize: Int, write: (FileDescriptor) throws -> Void) throws -> FileDescriptor {
        // The writable descriptor is closed when `writable` goes, on every path.
        let writable = OwnedFileDescriptor(try Memfd.create(name: name))
        try writable.descriptor.truncate(toSize: Int64(byteSize))
        try write(writable.descriptor)
        // Keep (and hand out) only a read-only descriptor of the sealed file: before
        // Linux 6.7 a PROT_READ MAP_SHARED mapping of a write-sealed memfd through a
        // read-write descriptor fails with EPERM (Debian 12 runs 6.1). The seals, not
        // the access mode, are what protect the segment.
        try Memfd.addSeals(.immutable, to: writable.descriptor)
        return try writable.descriptor.reopenedReadOnly()
    }

    /// Builds a segment holding a safetensors file of `layout`: the header, then `fill` once
    /// per tensor in file order with that tensor's bytes.
    /// - Throws: as ``build(kind:key:byteSize:fill:)``.
    public static func build(
        kind: SegmentKind, key: String, layout: SafetensorsLayout,
        fill: (SafetensorsLayout.Entry, UnsafeMutableRawBufferPointer) throws -> Void
    ) throws -> Segment {
        try build(kind: kind, key: key, byteSize: layout.totalSize) { buffer in
            try layout.write(into: buffer, fill: fill)
        }
    }

    /// `lorad-<kind>-<key>`, cut to the 249 bytes the kernel keeps, on a character boundary.
    static func memfdName(kind: SegmentKind, key: String) -> String {
        let prefix = "lorad-\(kind)-"
        return prefix + BoundedText.cut(key, toBytes: 200 - prefix.utf8.count)
    }
}
