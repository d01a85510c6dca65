import LoradSystem
import LoradTensors

extension PackWriter {
    /// Encodes the pack: checksums, transforms and compresses every tensor in parallel
    /// across cores (one zstd context per worker thread), then lays out header, manifest,
    /// manifest checksum and frames.
    ///
    /// - Parameter level: 1...19. Untransformed tensors use zstd at this level. Planes
    ///   use settings tuned on bf16 LoRA factors (docs/PACK_FORMAT.md, "Rationale"):
    ///   exponent planes get a fast double-fast setting at level 1 and a shallow optimal
    ///   parser (btopt) at levels >= 2, which higher levels do not improve on; mantissa
    ///   planes, which are nearly random, always get level 1 (zstd stores them raw).
    /// - Returns: the pack's bytes; memory is about the compressed size plus one scratch
    ///   buffer per worker.
    /// - Throws: `PackError.invalidInput` for an out-of-range level or bad metadata,
    ///   `PackError.compressionFailed` if libzstd fails.
    public func encode(level: Int = PackWriter.defaultLevel) throws(PackError) -> [UInt8] {
        guard Self.levels.contains(level) else {
            throw .invalidInput("level \(level) is out of range \(Self.levels.lowerBound)...\(Self.levels.upperBound)")
        }
        let metadata = try validatedMetadata()
        let tensors = pending.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }

        let results = Parallel.map(count: tensors.count, missing: PackError.jobDidNotRun, makeState: { () throws(PackError) -> ZstdCompressor in
            do throws(ZstdError) { return try ZstdCompressor() } catch { throw .compressionFailed(error.description) }
        }) { (compressor, index) throws(PackError) -> CompressedTensor in
            try Self.compress(tensors[index], level: Int32(level), with: compressor)
        }
        var compressed: [CompressedTensor] = []
        compressed.reserveCapacity(results.count)
        for result in results {
            compressed.append(try result.get())
        }

        // Offsets depend on the manifest's size, which does not depend on their values.
        let draft = Self.entries(tensors, compressed, dataStart: 0)
        let manifestSize = PackManifest.encodedSize(metadata: metadata, tensors: draft)
        guard manifestSize <= PackFormat.maxManifestBytes else {
            throw .invalidInput("the manifest would be \(manifestSize) bytes, over the \(PackFormat.maxManifestBytes)-byte limit")
        }
        let dataStart = PackFormat.headerSize + manifestSize + PackFormat.checksumSize
        let entries = Self.entries(tensors, compressed, dataStart: dataStart)
        let packLength = entries.last.map { $0.frames.last.map { $0.offset + $0.byteCount } ?? dataStart } ?? dataStart

        var out = ByteWriter(capacity: packLength)
        out.append(bytes: PackFormat.magic)
        out.append(PackFormat.version)
        out.append(UInt16(0))
        out.append(UInt32(manifestSize))
        out.append(UInt64(packLength))
        PackManifest.encode(metadata: metadata, tensors: entries, into: &out)
        let checksum = out.bytes.withUnsafeBytes { XXH64.hash($0) }
        out.append(checksum)
        for tensor in compressed {
            out.append(bytes: tensor.data)
        }
        return out.bytes
    }

    /// A compressed tensor: its frames back to back in `data`, their sizes, and the
    /// checksums of the original and the compressed bytes.
    struct CompressedTensor: Sendable {
        var checksum: UInt64
        var framesChecksum: UInt64
        var data: [UInt8]
        var frameSizes: [Int]

        init(checksum: UInt64, frames: [[UInt8]]) {
            self.checksum = checksum
            self.data = Array(frames.joined())
            self.frameSizes = frames.map(\.count)
            self.framesChecksum = XXH64.hash(data)
        }
    }

    /// Metadata sorted by key bytes, after checking the format's bounds.
    private func validatedMetadata() throws(PackError) -> [(key: String, value: String)] {
        guard metadata.count <= PackFormat.maxMetadataCount else {
            throw .invalidInput("\(metadata.count) metadata entries, at most \(PackFormat.maxMetadataCount) are allowed")
        }
        for (key, value) in metadata {
            guard (1...PackFormat.maxKeyBytes).contains(key.utf8.count) else {
                throw .invalidInput("metadata key '\(key.prefix(64))' must be 1...\(PackFormat.maxKeyBytes) UTF-8 bytes")
            }
            guard value.utf8.count <= Self.maxValueBytes else {
                throw .invalidInput("metadata value of '\(key)' is \(value.utf8.count) bytes, over \(Self.maxValueBytes)")
            }
        }
        return metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    /// Manifest entries for compressed tensors laid out back to back from `dataStart`.
    private static func entries(_ tensors: [Pending], _ compressed: [CompressedTensor], dataStart: Int) -> [PackTensorEntry] {
        var offset = dataStart
        var entries: [PackTensorEntry] = []
        entries.reserveCapacity(tensors.count)
        for (tensor, packed) in zip(tensors, compressed) {
            var frames: [PackFrame] = []
            for size in packed.frameSizes {
                frames.append(PackFrame(offset: offset, byteCount: size))
                offset += size
            }
            entries.append(PackTensorEntry(
                name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, transform: tensor.transform,
                byteCount: tensor.bytes.count, checksum: packed.checksum,
                framesChecksum: packed.framesChecksum, frames: frames))
        }
        return entries
    }

    /// Checksums, transforms and compresses one tensor.
    private static func compress(_ tensor: Pending, level: Int32, with compressor: ZstdCompressor) throws(PackError) -> CompressedTensor {
        do throws(ZstdError) {
            return try tensor.bytes.withTypedBytes { (source) throws(ZstdError) -> CompressedTensor in
                let checksum = XXH64.hash(source)
                guard tensor.transform != .none else {
                    return CompressedTensor(checksum: checksum, frames: [try compressor.compress(source, parameters: ZstdParameters(level: level))])
                }
                let width = tensor.dtype.packComponentWidth
                let planeSize = source.count / width
                var planes = [UInt8](repeating: 0, count: source.count)
                planes.withUnsafeMutableBytes {
                    PackTransform.split(source, into: $0, width: width, rotate: tensor.transform == .rotatedBytePlanes)
                }
                var frames: [[UInt8]] = []
                try planes.withTypedBytes { (all) throws(ZstdError) in
                    for plane in 0..<width {
                        let parameters = plane < tensor.dtype.packExponentPlaneCount
                            ? PackTuning.exponentPlane(level: level) : PackTuning.mantissaPlane
                        let slice = UnsafeRawBufferPointer(rebasing: all[(plane * planeSize)..<((plane + 1) * planeSize)])
                        frames.append(try compressor.compress(slice, parameters: parameters))
                    }
                }
                return CompressedTensor(checksum: checksum, frames: frames)
            }
        } catch {
            throw .compressionFailed("tensor '\(tensor.name)': \(error.description)")
        }
    }
}
