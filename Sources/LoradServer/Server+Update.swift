import LoradSystem

extension Server {
    /// The settings new connections get now: ``settings`` with the latest
    /// ``update(access:connection:)`` applied.
    public var currentSettings: ServerSettings { live.withLock { $0 } }

    /// Replaces the access rules and per-connection limits (requests in flight, timeouts),
    /// from any thread, for connections accepted from now on; open connections keep the
    /// ones they were admitted with. The listener and queue sizes never change.
    ///
    /// - Throws: ``ServerError/invalidSettings(_:)`` when `connection` is out of range;
    ///   then nothing changes.
    public func update(access: AccessPolicy, connection: ConnectionSettings) throws(ServerError) {
        var next = currentSettings
        next.access = access
        next.connection = connection
        if let problem = next.validationProblem { throw .invalidSettings(problem) }
        live.withLock { $0 = next }
    }
}
