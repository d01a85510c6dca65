/// Documents shared by several tests.
public enum ConfigFixtures {
    /// The config from the issue that specified lorad's configuration.
    public static let issueExample = """
        state_dir = "/var/lib/lorad"
        memory_budget = "32GiB"
        [bases]
        cogvideox-5b = "/models/CogVideoX-5b/transformer"
        [access]
        allow_groups = ["lorad"]          # plus root and the daemon's own uid
        allow_uids = []
        admin_groups = ["lorad-admin"]    # import, remove, gc, evict
        [limits]
        sessions_per_uid = 256
        requests_in_flight_per_connection = 64
        handshake_timeout = "5s"
        partial_frame_timeout = "30s"
        """
}
