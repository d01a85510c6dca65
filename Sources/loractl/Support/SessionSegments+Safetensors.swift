import LoradClient
import LoradTensors

extension SessionSegments {
    /// Every mapped segment parsed as a safetensors file (zero-copy over the mapping), in
    /// segment order.
    /// - Throws: `SafetensorsError` naming the segment when one is not a valid file.
    func safetensorsFiles() throws -> [SafetensorsFile] {
        try segments.map { segment in
            try SafetensorsFile(
                storage: TensorStorage(region: segment.region),
                name: "segment \(segment.segmentID) (\(segment.kind))")
        }
    }
}
