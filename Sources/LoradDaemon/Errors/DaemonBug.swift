import LoradWire

/// A state the daemon's own logic should never reach: reported as `internal`, saying so.
public struct DaemonBug: Error, Equatable, Sendable, CustomStringConvertible, WireReportable {
    /// What went wrong, ending in "this is a lorad bug".
    public var description: String

    /// A bug described by `what` (the sentence "; this is a lorad bug" is appended).
    public init(_ what: String) { description = what + "; this is a lorad bug" }

    /// `internal`.
    public var wireCode: ErrorCode { .internal }

    /// The failure recorded for a job `Parallel.map` did not run (it runs every one).
    static let jobDidNotRun = DaemonBug("a parallel job did not run")
}
