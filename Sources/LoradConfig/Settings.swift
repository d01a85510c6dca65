import LoradNotation

extension Setting {
    /// Every setting, in the order docs/CONFIG.md, the unknown-key messages and the reload
    /// log list them; top-level keys first, then the tables. Adding a setting is one entry
    /// here plus its use (a field of ``DaemonConfig`` and the code that reads it).
    public static let all: [Setting] = [
        Setting(
            "state_dir", doc: "The adapter store folder (default: $STATE_DIRECTORY, /var/lib/lorad for root, else ~/.local/state/lorad).",
            flag: "--state-dir DIR", type: "path", default: "see below", reload: .restart, example: "\"/var/lib/lorad\"",
            \.stateDirectory, .path, fallback: { (loader) throws(ConfigError) in try loader.defaultStateDirectory() }),
        Setting(
            "socket", doc: "The Unix socket to listen on (default: $RUNTIME_DIRECTORY/lorad.sock, /run/lorad/lorad.sock for root, else $XDG_RUNTIME_DIR/lorad.sock).",
            flag: "--socket PATH", type: "path, at most 107 bytes", default: "see below", reload: .restart,
            example: "\"/run/lorad/lorad.sock\"", \.socketPath, .path,
            fallback: { (loader) throws(ConfigError) in try loader.defaultSocketPath() },
            check: { (path) throws(ConfigValueError) in _ = try ConfigRules.socketPath(path) }),
        Setting(
            "socket_mode", doc: "The socket's permission bits (default: 0660).",
            flag: "--socket-mode OCTAL", type: "octal mode, at most `0777`", default: "`\"0660\"`", reload: .restart,
            example: "\"0640\"", \.socketMode, .mode, fallback: { _ in .builtIn(0o660) }),
        Setting(
            "socket_group", doc: "The group owning the socket file, a name or gid (default: lorad's own group).",
            flag: "--socket-group GROUP", type: "group name or gid", default: "lorad's own group", reload: .restart,
            example: "\"lorad\"", \.socketGroup, .group, fallback: { _ in .builtIn(nil) }),
        Setting(
            "memory_budget", doc: "Memory for derived segments, in bytes or with K/M/G/KiB/MiB/GiB (default: half the machine's memory).",
            flag: "--memory-budget SIZE", type: "size, at least 1 MiB", default: "half the machine's memory",
            reload: .restart, example: "\"32GiB\"", \.memoryBudget, .memoryBudget,
            fallback: { (loader) throws(ConfigError) in try loader.defaultMemoryBudget() }),
        Setting(
            "threads", doc: "Worker threads for decompressing and fusing (default: the core count).",
            flag: "--threads N", type: "integer, 1 to 1024", default: "the number of online cores", reload: .restart,
            example: "8", \.threads, .integer(1...1024, what: "the number of threads", noun: "a number of threads"),
            fallback: { loader in .builtIn(min(max(1, loader.environment.coreCount), 1024)) }),
        Setting(
            table: "bases", doc: "A base model: a .safetensors file or diffusers folder (repeatable; wins over the file's base of the same name).",
            flag: "--base NAME=PATH", type: "table of name = path", default: "none", reload: .live,
            example: "cogvideox-5b = \"/models/CogVideoX-5b/transformer\""),
        Setting(
            "access.allow_groups", doc: "Groups whose members may connect.",
            type: "list of group names or gids", default: "`[]`", reload: .live, example: "[\"lorad\"]",
            \.access.allowedGIDs, .accounts(groups: true), fallback: { _ in .builtIn([]) }),
        Setting(
            "access.allow_uids", doc: "Users who may connect.",
            type: "list of user names or uids", default: "`[]`", reload: .live, example: "[\"alice\"]",
            \.access.allowedUIDs, .accounts(groups: false), fallback: { _ in .builtIn([]) }),
        Setting(
            "access.admin_groups", doc: "Groups whose members may administer the store (import, remove, gc, evict).",
            type: "list of group names or gids", default: "`[]`", reload: .live, example: "[\"lorad-admin\"]",
            \.access.adminGIDs, .accounts(groups: true), fallback: { _ in .builtIn([]) }),
        Setting(
            "access.admin_uids", doc: "Users who may administer the store.",
            type: "list of user names or uids", default: "`[]`", reload: .live, example: "[\"root\"]",
            \.access.adminUIDs, .accounts(groups: false), fallback: { _ in .builtIn([]) }),
        Setting(
            "limits.sessions_per_uid", doc: "The most sessions one user may have open, across all its connections.",
            type: "integer, 1 to 65536", default: "`256`", reload: .restart, example: "256",
            \.limits.sessionsPerUID, .integer(1...65_536), fallback: { _ in .builtIn(ConnectionLimits.defaults.sessionsPerUID) }),
        Setting(
            "limits.requests_in_flight_per_connection", doc: "The most unanswered requests one connection may have; announced in the handshake.",
            type: "integer, 1 to 4096", default: "`64`", reload: .live, example: "64",
            \.limits.requestsInFlightPerConnection, .integer(1...4096),
            fallback: { _ in .builtIn(ConnectionLimits.defaults.requestsInFlightPerConnection) }),
        Setting(
            "limits.handshake_timeout", doc: "How long a new connection has to complete HELLO before it is closed.",
            type: "duration, 1ms to 24h", default: "`\"5s\"`", reload: .live, example: "\"5s\"",
            \.limits.handshakeTimeout, .timeout, fallback: { _ in .builtIn(ConnectionLimits.defaults.handshakeTimeout) }),
        Setting(
            "limits.partial_frame_timeout", doc: "How long a frame may stay half-received before the connection is closed.",
            type: "duration, 1ms to 24h", default: "`\"30s\"`", reload: .live, example: "\"30s\"",
            \.limits.partialFrameTimeout, .timeout, fallback: { _ in .builtIn(ConnectionLimits.defaults.partialFrameTimeout) }),
        Setting(
            "limits.max_connections", doc: "The most client connections open at once; past it new clients are refused with too_many_connections.",
            type: "integer, 1 to 65536", default: "`1024`", reload: .live, example: "1024",
            \.limits.maxConnections, .integer(1...65_536), fallback: { _ in .builtIn(ConnectionLimits.defaults.maxConnections) }),
        Setting(
            "limits.connections_per_uid", doc: "The most connections one user may have open; root and admins are exempt.",
            type: "integer, 1 to 65536", default: "`256`", reload: .live, example: "256",
            \.limits.connectionsPerUID, .integer(1...65_536), fallback: { _ in .builtIn(ConnectionLimits.defaults.connectionsPerUID) }),
        Setting(
            "limits.reserved_connections", doc: "Connections beyond max_connections that only root and admins may open.",
            type: "integer, 0 to 1024", default: "`8`", reload: .live, example: "8",
            \.limits.reservedConnections, .integer(0...1024),
            fallback: { _ in .builtIn(ConnectionLimits.defaults.reservedConnections) }),
        Setting(
            "limits.output_stall_timeout", doc: "How long EXPORT or MERGE waits for the client to take more of its output before failing with output_stalled.",
            type: "duration, 1ms to 24h", default: "`\"60s\"`", reload: .live, example: "\"60s\"",
            \.limits.outputStallTimeout, .timeout, fallback: { _ in .builtIn(ConnectionLimits.defaults.outputStallTimeout) }),
        Setting(
            "limits.workers_per_uid", doc: "The most worker threads one user's requests may occupy at once; 0 means threads - 1 (at least 1).",
            type: "integer, 0 to 1024", default: "`0`", reload: .live, example: "0",
            \.limits.workersPerUID, .integer(0...1024), fallback: { _ in .builtIn(ConnectionLimits.defaults.workersPerUID) }),
    ]
}
