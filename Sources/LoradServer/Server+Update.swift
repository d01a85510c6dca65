import LoradSystem

extension Server {
    /// The settings new connections get now: ``settings`` with the latest
    /// ``update(access:connection:admission:)`` applied.
    public var currentSettings: ServerSettings { live.withLock { $0 } }

    /// Replaces the access rules, the per-connection limits (requests in flight, timeouts)
    /// and, when given, the connection limits (`admission`), from any thread, for connections
    /// accepted from now on. Open connections keep the rules they were admitted with and are
    /// never closed by a lowered limit: they count against it, so new peers are refused until
    /// enough of them close. The listener and queue sizes never change.
    ///
    /// - Throws: ``ServerError/invalidSettings(_:)`` when `connection` or `admission` is out
    ///   of range; then nothing changes.
    public func update(
        access: AccessPolicy, connection: ConnectionSettings, admission: AdmissionLimits? = nil
    ) throws(ServerError) {
        var next = currentSettings
        next.access = access
        next.connection = connection
        if let admission { next.admission = admission }
        if let problem = next.validationProblem { throw .invalidSettings(problem) }
        live.withLock { $0 = next }
        // Wakes the loop, which resumes accepting if it paused at a ceiling that rose.
        _ = mailbox.postProbe({})
    }
}
