extension PackManifest {
    /// Bytes one tensor entry takes in the manifest.
    static func encodedSize(of tensor: PackTensorEntry) -> Int {
        2 + tensor.name.utf8.count + 1 + tensor.dtype.rawValue.utf8.count + 1 + 1
            + 8 * tensor.shape.count + 8 + 8 + 8 + 1 + 16 * tensor.frames.count
    }

    /// The manifest's size in bytes for this content (offsets have fixed width, so it
    /// does not depend on where the frames end up).
    static func encodedSize(metadata: [(key: String, value: String)], tensors: [PackTensorEntry]) -> Int {
        var size = 4 + 4
        for (key, value) in metadata { size += 2 + key.utf8.count + 4 + value.utf8.count }
        for tensor in tensors { size += encodedSize(of: tensor) }
        return size
    }

    /// Appends the manifest (docs/PACK_FORMAT.md, "Manifest"). The caller has sorted
    /// metadata and tensors by UTF-8 bytes and checked every bound.
    static func encode(metadata: [(key: String, value: String)], tensors: [PackTensorEntry], into out: inout ByteWriter) {
        out.append(UInt32(metadata.count))
        for (key, value) in metadata {
            out.append(UInt16(key.utf8.count))
            out.append(bytes: key.utf8)
            out.append(UInt32(value.utf8.count))
            out.append(bytes: value.utf8)
        }
        out.append(UInt32(tensors.count))
        for tensor in tensors {
            out.append(UInt16(tensor.name.utf8.count))
            out.append(bytes: tensor.name.utf8)
            out.append(UInt8(tensor.dtype.rawValue.utf8.count))
            out.append(bytes: tensor.dtype.rawValue.utf8)
            out.append(tensor.transform.rawValue)
            out.append(UInt8(tensor.shape.count))
            for dimension in tensor.shape { out.append(UInt64(dimension)) }
            out.append(UInt64(tensor.byteCount))
            out.append(tensor.checksum)
            out.append(tensor.framesChecksum)
            out.append(UInt8(tensor.frames.count))
            for frame in tensor.frames {
                out.append(UInt64(frame.offset))
                out.append(UInt64(frame.byteCount))
            }
        }
    }
}
