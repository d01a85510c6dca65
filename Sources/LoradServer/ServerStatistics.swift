import Synchronization

/// The server's live counters. The loop thread updates them; any thread may read a
/// ``snapshot()`` (each counter is atomic; the snapshot is not one instant across counters).
public final class ServerStatistics: Sendable {
    let connectionsAccepted = Atomic<UInt64>(0)
    let connectionsRefused = Atomic<UInt64>(0)
    let connectionsOpen = Atomic<UInt64>(0)
    let slowReadersDropped = Atomic<UInt64>(0)
    let fatalErrors = Atomic<UInt64>(0)
    let requestsDispatched = Atomic<UInt64>(0)
    let framesSent = Atomic<UInt64>(0)
    let bytesReceived = Atomic<UInt64>(0)
    let bytesSent = Atomic<UInt64>(0)
    let descriptorsReceived = Atomic<UInt64>(0)
    let descriptorsSent = Atomic<UInt64>(0)

    /// Creates counters at zero.
    public init() {}

    /// The current values.
    public func snapshot() -> ServerCounters {
        var counters = ServerCounters()
        counters.connectionsAccepted = connectionsAccepted.load(ordering: .relaxed)
        counters.connectionsRefused = connectionsRefused.load(ordering: .relaxed)
        counters.connectionsOpen = connectionsOpen.load(ordering: .relaxed)
        counters.slowReadersDropped = slowReadersDropped.load(ordering: .relaxed)
        counters.fatalErrors = fatalErrors.load(ordering: .relaxed)
        counters.requestsDispatched = requestsDispatched.load(ordering: .relaxed)
        counters.framesSent = framesSent.load(ordering: .relaxed)
        counters.bytesReceived = bytesReceived.load(ordering: .relaxed)
        counters.bytesSent = bytesSent.load(ordering: .relaxed)
        counters.descriptorsReceived = descriptorsReceived.load(ordering: .relaxed)
        counters.descriptorsSent = descriptorsSent.load(ordering: .relaxed)
        return counters
    }
}

extension Atomic where Value == UInt64 {
    /// Adds `amount` (relaxed ordering: these are statistics, not synchronisation). Adding
    /// 0 (no descriptors in a message, say) skips the atomic read-modify-write.
    func bump(_ amount: Int = 1) {
        guard amount != 0 else { return }
        wrappingAdd(UInt64(truncatingIfNeeded: amount), ordering: .relaxed)
    }

    /// Subtracts `amount` (relaxed ordering).
    func drop(_ amount: Int = 1) {
        wrappingSubtract(UInt64(truncatingIfNeeded: amount), ordering: .relaxed)
    }
}
