import LoradAdapters
import LoradClient
import LoradSystem
import LoradTensors
import LoradWire

/// What `loractl session --dump DIR` writes: each mapped segment as a file
/// (`base.safetensors`, `overlay.safetensors`, `factors-NAME.safetensors`) and
/// `session.json` describing the session, its active set with per-module scales, and the
/// files.
struct SessionDump {
    /// The session's mapped segments.
    var segments: SessionSegments
    /// Per active adapter (by index), the per-module scales; nil where unknown.
    var scales: [[(module: String, scale: Double)]?]

    /// The file a segment is written to (pure): `base.safetensors`, `overlay.safetensors`,
    /// or `factors-NAME.safetensors` for the adapter the segment names.
    static func fileName(kind: SegmentKind, adapterIndex: Int?, active: [ActiveAdapter]) -> String {
        switch kind {
        case .base:
            return "base.safetensors"
        case .overlay:
            return "overlay.safetensors"
        case .factors:
            if let adapterIndex, active.indices.contains(adapterIndex) {
                return "factors-\(active[adapterIndex].name).safetensors"
            }
            return "factors-\(adapterIndex.map(String.init) ?? "unknown").safetensors"
        }
    }

    /// The file names, in segment order.
    var fileNames: [String] {
        segments.segments.map { Self.fileName(kind: $0.kind, adapterIndex: $0.adapterIndex, active: segments.active) }
    }

    /// The content of `session.json` (pure; schema in docs/CLI_JSON.md).
    func sessionJSON(tensorCounts: [Int]) -> String {
        let adapters = segments.active.enumerated().map { index, adapter in
            let moduleScales = index < scales.count ? scales[index] : nil
            return JSONText.object([
                ("name", JSONText.string(adapter.name)),
                ("version", String(adapter.version)),
                ("weight", JSONText.number(adapter.weight)),
                ("scales", moduleScales.map { list in JSONText.object(list.map { ($0.module, JSONText.number($0.scale)) }) } ?? "null"),
            ])
        }
        let names = fileNames
        let files = segments.segments.enumerated().map { index, segment in
            JSONText.object([
                ("kind", JSONText.string(String(describing: segment.kind))),
                ("segment_id", String(segment.segmentID)),
                ("byte_size", String(segment.region.count)),
                ("file", JSONText.string(names[index])),
                ("tensors", index < tensorCounts.count ? String(tensorCounts[index]) : "null"),
            ])
        }
        return JSONText.object([
            ("session_id", String(segments.sessionID)),
            ("base", JSONText.string(segments.base)),
            ("mode", JSONText.string(String(describing: segments.mode))),
            ("generation", String(segments.generation)),
            ("adapters", JSONText.array(adapters)),
            ("segments", JSONText.array(files)),
        ])
    }

    /// Creates `folder` if missing and writes every segment and `session.json` into it,
    /// each replaced atomically. Returns the JSON written.
    /// - Throws: `SafetensorsError` when a segment is not a valid safetensors file (nothing
    ///   is written then), `SystemError` from the writes.
    func write(to folder: String) throws -> String {
        let files = try segments.safetensorsFiles()
        try DurableFile.makeDirectory(folder, createIntermediates: true)
        for (segment, name) in zip(segments.segments, fileNames) {
            let region = segment.region
            try DurableFile.writeAtomically(to: PathName.join(folder, name), size: region.count) { buffer in
                region.withUnsafeBytes { buffer.copyMemory(from: $0) }
            }
        }
        let json = sessionJSON(tensorCounts: files.map(\.entries.count))
        try DurableFile.writeAtomically(to: PathName.join(folder, "session.json"), bytes: Array((json + "\n").utf8))
        return json
    }
}
