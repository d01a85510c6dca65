import LoradSystem

extension StoredBase {
    /// Checks this stored base against base `name` configured at `path` and returns its
    /// segment (a read-only descriptor of the sealed memfd, wrapped as a base ``Segment``).
    /// Consumes the descriptors: both are closed on every path.
    ///
    /// Checked, reading no tensor data: both descriptors are memfds sealed
    /// ``Memfd/Seals/immutable``; the record decodes, names `name` and `path`, and lists the
    /// files `path` resolves to now with the same device, inode, size, mtime and header
    /// hash (each header is read again); the segment has the recorded size and header hash.
    /// The caller parses the segment (``ResidentBase``) and rejects it too if that fails.
    /// - Throws: ``FdStoreRejection`` saying what did not match.
    func adopt(name: String, path: String) throws(FdStoreRejection) -> Segment {
        defer { close() }
        guard let segment else { throw FdStoreRejection("its record was stored without the segment") }
        guard let record else { throw FdStoreRejection("its segment was stored without a record of its source file") }
        let stored = try Self.readRecord(record)
        let current: [SourceFileIdentity]
        do {
            current = try SourceFileIdentity.captureModel(path: path)
        } catch {
            throw FdStoreRejection("cannot check the configured file \(path): \(error)")
        }
        if let difference = stored.mismatch(name: name, path: path, current: current) { throw FdStoreRejection(difference) }
        let size = try Self.checkSealed(segment, what: "segment")
        guard UInt64(size) == stored.segmentSize else {
            throw FdStoreRejection("the segment is \(size) bytes, the record says \(stored.segmentSize)")
        }
        do {
            let digest = try SafetensorsHeaderDigest.sha256(of: segment, fileSize: size, name: "the stored segment")
            guard digest == stored.segmentHeaderSHA256 else {
                throw FdStoreRejection("the segment's safetensors header is not the one recorded with it")
            }
            return Segment(kind: .base, key: name, fd: try segment.reopenedReadOnly(), byteSize: size)
        } catch let rejection as FdStoreRejection {
            throw rejection
        } catch {
            throw FdStoreRejection("cannot read the stored segment: \(error)")
        }
    }

    /// Decodes the record memfd (sealed, at most ``FdStoreRecord/maximumEncodedLength`` bytes).
    private static func readRecord(_ fd: FileDescriptor) throws(FdStoreRejection) -> FdStoreRecord {
        let size = try checkSealed(fd, what: "record")
        guard size <= FdStoreRecord.maximumEncodedLength else {
            throw FdStoreRejection("the record is \(size) bytes, more than the \(FdStoreRecord.maximumEncodedLength)-byte limit")
        }
        let bytes: [UInt8]
        do {
            bytes = try fd.readBytes(fromAbsoluteOffset: 0, count: size)
        } catch {
            throw FdStoreRejection("cannot read the record: \(error)")
        }
        do {
            return try FdStoreRecord(decoding: bytes)
        } catch {
            throw FdStoreRejection("\(error.reason) in its record")
        }
    }

    /// The size of memfd `fd`, after checking it carries every seal of ``Memfd/Seals/immutable``.
    private static func checkSealed(_ fd: FileDescriptor, what: String) throws(FdStoreRejection) -> Int {
        let seals: Memfd.Seals
        do {
            seals = try Memfd.seals(of: fd)
        } catch {
            throw FdStoreRejection("the stored \(what) is not a sealed memfd (\(error))")
        }
        guard seals.isSuperset(of: .immutable) else {
            throw FdStoreRejection("the stored \(what) lacks seals (it has 0x\(String(seals.rawValue, radix: 16)), needs WRITE|SHRINK|GROW|SEAL)")
        }
        do {
            return try fd.size()
        } catch {
            throw FdStoreRejection("cannot fstat the stored \(what): \(error)")
        }
    }
}
