import LoradWire

extension LoradConnection {
    /// PING: sends `token` and returns the token the server echoed.
    ///
    /// - Throws: `LoradClientError` (connection failures; `protocolViolation` when the
    ///   echo differs).
    @discardableResult
    public func ping(token: UInt64 = 0) throws(LoradClientError) -> UInt64 {
        let (reply, _) = try call(.ping(PingRequest(token: token))) { if case .ping(let r) = $0 { r } else { nil } }
        guard reply.token == token else {
            throw LoradClientError.protocolViolation(WireError(
                .protocolViolation, "PING token \(token) was echoed as \(reply.token)"))
        }
        return reply.token
    }

    /// CANCEL: asks the server to abandon the pending request `requestID` (sent with
    /// `submit`). Returns whether it was still pending (it then gets a `cancelled` error).
    public func cancel(requestID: UInt32) throws(LoradClientError) -> Bool {
        let (reply, _) = try call(.cancel(CancelRequest(targetRequestID: requestID))) {
            if case .cancel(let r) = $0 { r } else { nil }
        }
        return reply.wasPending
    }

    /// STATS: the daemon's figures (uptime, connections, sessions, segments and their
    /// bytes, cache hits and misses, store size).
    public func stats() throws(LoradClientError) -> StatsReply {
        try call(.stats(StatsRequest())) { if case .stats(let r) = $0 { r } else { nil } }.0
    }

    /// LIST_BASES: the configured bases, in configuration order, with their state.
    public func listBases() throws(LoradClientError) -> [BaseInfo] {
        try call(.listBases(ListBasesRequest())) { if case .listBases(let r) = $0 { r } else { nil } }.0.bases
    }
}
