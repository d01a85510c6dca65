/// Where a resident base's segment came from.
public enum BaseOrigin: String, Sendable, Hashable {
    /// Built by copying the configured file (or shards) into a new segment.
    case file
    /// Taken back from systemd's file descriptor store after a restart, once checked
    /// against the configured file (``StoredBase``): no weights were read.
    case fdStore = "fd_store"
}
