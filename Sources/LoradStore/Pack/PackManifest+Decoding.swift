import LoradTensors

extension PackManifest {
    /// The smallest possible tensor entry: 1-byte name, 2-byte dtype, rank 0, one frame.
    static let minimumEntrySize = 2 + 1 + 1 + 2 + 1 + 1 + 8 + 8 + 8 + 1 + 16
    /// The smallest possible metadata entry: 1-byte key, empty value.
    static let minimumMetadataSize = 2 + 1 + 4

    /// Parses and validates a manifest occupying `bytes[range]` of a pack of
    /// `packLength` bytes whose frames start at `dataStart`.
    ///
    /// Every count and length is checked against what remains before it is used; names
    /// and keys must be valid UTF-8 in strictly ascending byte order; each tensor's shape
    /// must give exactly its byte count; sizes must respect `limits`; and the frames
    /// must tile [dataStart, packLength) back to back, in manifest order.
    static func decode(
        _ bytes: [UInt8], range: Range<Int>, dataStart: Int, packLength: Int, limits: PackLimits
    ) throws(PackError) -> PackManifest {
        var cursor = ByteCursor(bytes, range: range)

        let metadataCount = Int(try cursor.read(UInt32.self, "the metadata count"))
        guard metadataCount <= PackFormat.maxMetadataCount, metadataCount <= cursor.remaining / minimumMetadataSize else {
            throw .malformedManifest("metadata count \(metadataCount) is larger than the manifest can hold")
        }
        var metadata: [String: String] = [:]
        var previousKey: ArraySlice<UInt8>?
        for _ in 0..<metadataCount {
            let key = try cursor.readSortedKey("metadata key", maxBytes: PackFormat.maxKeyBytes, after: &previousKey)
            let valueLength = Int(try cursor.read(UInt32.self, "the length of metadata value '\(key)'"))
            let (value, _) = try cursor.readString(valueLength, "metadata value '\(key)'")
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw .malformedManifest("metadata key '\(key)' is repeated")
            }
        }

        let tensorCount = Int(try cursor.read(UInt32.self, "the tensor count"))
        guard tensorCount <= PackFormat.maxTensorCount, tensorCount <= cursor.remaining / minimumEntrySize else {
            throw .malformedManifest("tensor count \(tensorCount) is larger than the manifest can hold")
        }
        var tensors: [PackTensorEntry] = []
        tensors.reserveCapacity(tensorCount)
        var previousName: ArraySlice<UInt8>?
        var frameCursor = dataStart
        var total = 0
        for _ in 0..<tensorCount {
            let name = try cursor.readSortedKey("tensor name", maxBytes: PackFormat.maxNameBytes, after: &previousName)
            let entry = try decodeTensor(named: name, from: &cursor, frameCursor: &frameCursor, packLength: packLength, limits: limits)
            let (sum, overflow) = total.addingReportingOverflow(entry.byteCount)
            guard !overflow, sum <= limits.maxTotalBytes else {
                throw .limitExceeded("the tensors add up to more than \(limits.maxTotalBytes) bytes")
            }
            total = sum
            tensors.append(entry)
        }
        guard cursor.remaining == 0 else {
            throw .malformedManifest("\(cursor.remaining) unexpected bytes after the last tensor entry")
        }
        guard frameCursor == packLength else {
            throw .malformedManifest("the frames end at byte \(frameCursor) but the pack is \(packLength) bytes")
        }
        guard let manifest = PackManifest(metadata: metadata, tensors: tensors) else {
            throw .malformedManifest("two tensor names are equivalent")
        }
        return manifest
    }

    /// Parses the rest of one tensor entry (after its name).
    private static func decodeTensor(
        named name: String, from cursor: inout ByteCursor, frameCursor: inout Int, packLength: Int, limits: PackLimits
    ) throws(PackError) -> PackTensorEntry {
        let dtypeLength = Int(try cursor.read(UInt8.self, "the dtype length of '\(name)'"))
        guard (1...PackFormat.maxDTypeBytes).contains(dtypeLength) else {
            throw .malformedManifest("dtype length \(dtypeLength) of tensor '\(name)' is out of range 1...\(PackFormat.maxDTypeBytes)")
        }
        let (spelling, _) = try cursor.readString(dtypeLength, "the dtype of '\(name)'")
        guard let dtype = DType(rawValue: spelling) else {
            throw .malformedManifest("tensor '\(name)' has unknown dtype '\(spelling)'")
        }
        let transformID = try cursor.read(UInt8.self, "the transform of '\(name)'")
        guard let transform = PackTransform(rawValue: transformID) else {
            throw .malformedManifest("tensor '\(name)' has unknown transform \(transformID)")
        }
        guard let planeCount = transform.planeCount(for: dtype) else {
            throw .malformedManifest("transform \(transform) does not apply to \(dtype.rawValue) (tensor '\(name)')")
        }
        let rank = Int(try cursor.read(UInt8.self, "the rank of '\(name)'"))
        guard rank <= PackFormat.maxRank else {
            throw .malformedManifest("tensor '\(name)' has rank \(rank), over \(PackFormat.maxRank)")
        }
        var shape: [Int] = []
        for _ in 0..<rank {
            shape.append(try cursor.readSize("a dimension of '\(name)'"))
        }
        let byteCount = try cursor.readSize("the size of '\(name)'")
        guard let elements = Tensor.elementCount(of: shape), dtype.byteCount(elements: elements) == byteCount else {
            throw .malformedManifest("tensor '\(name)' of \(dtype.rawValue) \(shape) cannot be \(byteCount) bytes")
        }
        guard byteCount <= limits.maxTensorBytes else {
            throw .limitExceeded("tensor '\(name)' is \(byteCount) bytes, over the \(limits.maxTensorBytes)-byte limit")
        }
        let checksum = try cursor.read(UInt64.self, "the checksum of '\(name)'")
        let framesChecksum = try cursor.read(UInt64.self, "the frames checksum of '\(name)'")
        let frameCount = Int(try cursor.read(UInt8.self, "the frame count of '\(name)'"))
        guard frameCount == planeCount else {
            throw .malformedManifest("tensor '\(name)' lists \(frameCount) frames, its transform needs \(planeCount)")
        }
        var frames: [PackFrame] = []
        for plane in 0..<frameCount {
            let offset = try cursor.readSize("frame \(plane) offset of '\(name)'")
            let size = try cursor.readSize("frame \(plane) size of '\(name)'")
            guard offset == frameCursor else {
                throw .malformedManifest("frame \(plane) of tensor '\(name)' is at byte \(offset), expected \(frameCursor) (frames are back to back)")
            }
            guard size >= 1, size <= packLength - offset else {
                throw .malformedManifest("frame \(plane) of tensor '\(name)' (\(size) bytes at \(offset)) does not fit in the pack")
            }
            frames.append(PackFrame(offset: offset, byteCount: size))
            frameCursor = offset + size
        }
        return PackTensorEntry(
            name: name, dtype: dtype, shape: shape, transform: transform, byteCount: byteCount,
            checksum: checksum, framesChecksum: framesChecksum, frames: frames)
    }
}
