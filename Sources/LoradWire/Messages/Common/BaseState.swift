/// Whether a configured base is in memory (u8 on the wire).
public enum BaseState: UInt8, CaseIterable, Sendable {
    /// Configured, not loaded (loaded on first use).
    case configured = 0
    /// Being read into its segment; sessions on it get `not_ready` meanwhile.
    case loading = 1
    /// Resident and sealed.
    case ready = 2
    /// Loading failed; see the daemon's log. Sessions on it get `corrupt` or `not_found`.
    case failed = 3
}
