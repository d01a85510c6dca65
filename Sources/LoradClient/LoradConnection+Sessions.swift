import LoradSystem
import LoradWire

extension LoradConnection {
    /// OPEN_SESSION: a session on `base` (generation 0, empty set) with the base segment.
    /// The session belongs to this connection and ends with it.
    public func openSession(base: String, mode: SessionMode) throws(LoradClientError) -> SessionState {
        try RequestValidation.name(base, "base")
        return try session(.openSession(OpenSessionRequest(base: base, mode: mode)))
    }

    /// ATTACH: appends `adapter` with `weight` to the session's set, or replaces its version
    /// and weight when an adapter of that name is in the set already.
    public func attach(session: UInt64, adapter: AdapterRef, weight: Double) throws(LoradClientError) -> SessionState {
        try RequestValidation.name(adapter.name, "adapter")
        try RequestValidation.weight(weight, of: adapter.name)
        return try self.session(.attach(AttachRequest(sessionID: session, adapter: adapter, weight: weight)))
    }

    /// DETACH: removes the adapter called `name` from the session's set.
    public func detach(session: UInt64, name: String) throws(LoradClientError) -> SessionState {
        try RequestValidation.name(name, "adapter")
        return try self.session(.detach(DetachRequest(sessionID: session, name: name)))
    }

    /// SWITCH: replaces the session's whole set atomically (an empty set means base only).
    /// Segments mapped from earlier replies stay valid while they are mapped.
    public func switchAdapters(session: UInt64, to adapters: [WeightedAdapter]) throws(LoradClientError) -> SessionState {
        try RequestValidation.set(adapters)
        return try self.session(.switchAdapters(SwitchRequest(sessionID: session, adapters: adapters)))
    }

    /// CLOSE_SESSION: ends the session and drops its segment references (mappings the
    /// client holds stay valid).
    public func closeSession(_ session: UInt64) throws(LoradClientError) {
        _ = try call(.closeSession(CloseSessionRequest(sessionID: session))) {
            if case .closeSession(let r) = $0 { r } else { nil }
        }
    }

    /// GET_SEGMENTS: the session's current state and segments again.
    public func getSegments(session: UInt64) throws(LoradClientError) -> SessionState {
        try self.session(.getSegments(GetSegmentsRequest(sessionID: session)))
    }

    /// Sends a request answered by a SessionReply and wraps it with its descriptors.
    private func session(_ request: ClientMessage) throws(LoradClientError) -> SessionState {
        let (reply, _) = try call(request) { message -> SessionReply? in
            switch message {
            case .openSession(let r), .attach(let r), .detach(let r), .switchAdapters(let r), .getSegments(let r): r
            case .hello, .ping, .cancel, .listBases, .listAdapters, .showAdapter, .importAdapter, .exportAdapter, .removeAdapter,
                .closeSession, .merge, .evict, .stats, .verify, .gc, .shuttingDown, .error, .fatal:
                nil
            }
        }
        return SessionState(reply)
    }
}
