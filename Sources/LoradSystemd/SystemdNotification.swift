import LoradSystem

/// One state change told to systemd over the notification socket (`sd_notify(3)`).
public enum SystemdNotification: Sendable, Hashable {
    /// `READY=1`: start-up is finished (for `Type=notify`, systemd starts dependants now).
    case ready
    /// `STATUS=...`: a one-line human-readable status shown by `systemctl status`
    /// (line breaks are replaced with spaces).
    case status(String)
    /// `STOPPING=1`: the daemon began shutting down.
    case stopping
    /// `RELOADING=1` + `MONOTONIC_USEC=`: the daemon began reloading its configuration at
    /// `monotonicMicroseconds` of `CLOCK_MONOTONIC`; send ``ready`` when done.
    case reloading(monotonicMicroseconds: UInt64)
    /// `WATCHDOG=1`: the daemon is alive; resets the `WatchdogSec=` timer.
    case watchdog
    /// `EXTEND_TIMEOUT_USEC=...`: the current start, stop or reload needs up to this much
    /// longer (whole microseconds; negative durations count as zero).
    case extendTimeout(Duration)
    /// `FDSTORE=1` + `FDNAME=...`: keep the descriptors sent with this datagram in the
    /// service's file descriptor store under `name` (printable ASCII without `:`, at most
    /// 255 bytes), and pass them back after a restart.
    case fdStore(name: String)
    /// `FDSTOREREMOVE=1` + `FDNAME=...`: drop every stored descriptor named `name`.
    case fdStoreRemove(name: String)

    /// The `KEY=VALUE` line(s) of this notification, without a trailing newline.
    public var line: String {
        switch self {
        case .ready: "READY=1"
        case .status(let text):
            "STATUS=" + String(text.map { $0.isNewline ? " " : $0 })
        case .stopping: "STOPPING=1"
        case .reloading(let microseconds): "RELOADING=1\nMONOTONIC_USEC=\(microseconds)"
        case .watchdog: "WATCHDOG=1"
        case .extendTimeout(let duration): "EXTEND_TIMEOUT_USEC=\(Self.microseconds(of: duration))"
        case .fdStore(let name): "FDSTORE=1\nFDNAME=\(Self.fdName(name))"
        case .fdStoreRemove(let name): "FDSTOREREMOVE=1\nFDNAME=\(Self.fdName(name))"
        }
    }

    /// `name` with every byte systemd refuses in an `FDNAME=` (`:`, control and non-ASCII
    /// characters) replaced by `_`, cut to 255 bytes.
    static func fdName(_ name: String) -> String {
        let bytes = name.utf8.prefix(255).map { byte in
            (0x21...0x7E).contains(byte) && byte != UInt8(ascii: ":") ? byte : UInt8(ascii: "_")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whole microseconds of `duration`, clamped to `0...UInt64.max`.
    static func microseconds(of duration: Duration) -> UInt64 {
        duration.whole(.microseconds)
    }
}
