import LoradAdapters
import LoradStore
import LoradTensors
import LoradWire

/// A base model resident in shared memory: its sealed base segment, the daemon's own
/// read-only mapping of it parsed as safetensors (zero-copy, for fusing and merging), its
/// shapes (for compatibility checks) and its fingerprint (for the catalog).
public final class ResidentBase: Sendable {
    /// The configured name.
    public let name: String
    /// The base segment handed to every session.
    public let segment: Segment
    /// The segment mapped read-only and parsed.
    public let file: SafetensorsFile
    /// Every tensor's dtype and shape.
    public let shapes: BaseShapes
    /// ``BaseFingerprint`` of the tensors' names, dtypes and shapes.
    public let fingerprint: String
    /// Where the segment came from.
    public let origin: BaseOrigin

    /// Maps `segment` (which came from `origin`) and parses it.
    /// - Throws: ``SystemError`` from `mmap`, ``SafetensorsError`` for a segment that does
    ///   not hold a safetensors file.
    public init(name: String, segment: Segment, origin: BaseOrigin = .file) throws {
        let file = try segment.safetensors()
        var table: [String: (dtype: DType, shape: [Int])] = [:]
        for entry in file.entries { table[entry.name] = (entry.dtype, entry.shape) }
        self.name = name
        self.segment = segment
        self.origin = origin
        self.file = file
        self.shapes = BaseShapes(displayName: name, shapes: table)
        self.fingerprint = BaseFingerprint.compute(tensors: file.entries.map { ($0.name, $0.dtype, $0.shape) })
    }

    /// Identifies this resident copy: `<name>#<segment id>`. Overlays are keyed by it, so a
    /// base loaded again (a new file at the same name) never reuses overlays of the old one.
    public var identity: String { "\(name)#\(segment.id)" }

    /// The number of tensors.
    public var tensorCount: Int { file.entries.count }
}
