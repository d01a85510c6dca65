/// Where a base's resident segment came from (u8 on the wire; protocol 1.1).
public enum BaseOrigin: UInt8, CaseIterable, Sendable {
    /// The base is not resident (configured, loading or failed).
    case notResident = 0
    /// lorad read the configured file (or shards) into a new segment.
    case file = 1
    /// lorad took the segment back from systemd's file descriptor store after a restart,
    /// after checking it against the configured file, without reading the weights.
    case fdStore = 2

    /// The spelling in logs and JSON: `not_resident`, `file`, `fd_store`.
    public var name: String {
        switch self {
        case .notResident: "not_resident"
        case .file: "file"
        case .fdStore: "fd_store"
        }
    }
}
