import LoradWire

/// A derived segment does not fit the memory budget even after every unreferenced cached
/// segment is evicted: the segments sessions hold (and those being built) take the rest.
public struct SegmentBudgetError: Error, Equatable, Sendable, CustomStringConvertible, WireReportable {
    /// The size of the segment asked for, in bytes.
    public var requested: Int
    /// Bytes held by sessions or reserved by builds in progress.
    public var inUse: Int
    /// The configured budget in bytes.
    public var budget: Int

    /// One line: what did not fit and what to do.
    public var description: String {
        "a \(requested)-byte segment does not fit the \(budget)-byte segment budget: sessions hold \(inUse) bytes; "
            + "close sessions, detach adapters, or raise memory_budget in the config"
    }

    /// `resource_exhausted`.
    public var wireCode: ErrorCode { .resourceExhausted }
}
