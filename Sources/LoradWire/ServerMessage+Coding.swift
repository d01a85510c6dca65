extension ServerMessage {
    /// Encodes this message as a frame. `requestID` is the id of the request a reply or ERROR
    /// answers (1 or more), 0 for events, and the offending request id or 0 for FATAL.
    /// Throws `invalid_argument` (a field over its bound, a request id against those rules) or
    /// `frame_too_large` (e.g. a list reply too long for `limits`: send fewer entries).
    public func encode(requestID: UInt32, limits: FrameLimits = .default) throws(WireError) -> EncodedFrame {
        if let problem = Self.requestIDProblem(opcode: opcode, requestID: requestID) {
            throw WireError(.invalidArgument, "cannot encode \(opcode): \(problem)")
        }
        return try EncodedFrame(opcode: opcode, requestID: requestID, payload: parts.payload, limits: limits)
    }

    /// Decodes a frame received by the client.
    ///
    /// Throws `unknown_opcode` for an opcode this version does not define: when its kind
    /// (`Opcode.kind(of:)`) is `.event` the client ignores the frame and goes on, otherwise it
    /// closes the connection. Throws `malformed_frame` or `fd_count_mismatch` when the payload
    /// breaks the spec or the request id breaks the rules above, and `protocol_violation` for
    /// a request opcode. The caller closes `frame.fds` whenever this throws. Trailing payload
    /// bytes after the known fields are ignored.
    public init(decoding frame: Frame) throws(WireError) {
        let raw = frame.header.opcode
        guard let opcode = Opcode(rawValue: raw) else {
            throw WireError(
                .unknownOpcode,
                "opcode 0x\(String(raw, radix: 16)) is not defined by protocol \(ProtocolVersion.current)")
        }
        guard opcode.kind != .request else {
            throw WireError(
                .protocolViolation, "\(opcode) is a request opcode; a server sends only replies, events and errors")
        }
        if let problem = Self.requestIDProblem(opcode: opcode, requestID: frame.header.requestID) {
            throw WireError(.malformedFrame, "\(opcode): \(problem)")
        }
        func decode<T: WireCodable>(_ type: T.Type) throws(WireError) -> T {
            try PayloadReader.decode(T.self, payload: frame.payload, fds: frame.fds, naming: .opcode(opcode))
        }
        self =
            switch opcode {
            case .helloReply: .hello(try decode(HelloReply.self))
            case .pingReply: .ping(try decode(PingReply.self))
            case .cancelReply: .cancel(try decode(CancelReply.self))
            case .listBasesReply: .listBases(try decode(ListBasesReply.self))
            case .listAdaptersReply: .listAdapters(try decode(ListAdaptersReply.self))
            case .showAdapterReply: .showAdapter(try decode(ShowAdapterReply.self))
            case .importAdapterReply: .importAdapter(try decode(ImportReply.self))
            case .exportAdapterReply: .exportAdapter(try decode(ExportReply.self))
            case .removeAdapterReply: .removeAdapter(try decode(RemoveReply.self))
            case .openSessionReply: .openSession(try decode(SessionReply.self))
            case .attachReply: .attach(try decode(SessionReply.self))
            case .detachReply: .detach(try decode(SessionReply.self))
            case .switchAdaptersReply: .switchAdapters(try decode(SessionReply.self))
            case .closeSessionReply: .closeSession(try decode(CloseSessionReply.self))
            case .getSegmentsReply: .getSegments(try decode(SessionReply.self))
            case .mergeReply: .merge(try decode(MergeReply.self))
            case .evictReply: .evict(try decode(EvictReply.self))
            case .statsReply: .stats(try decode(StatsReply.self))
            case .verifyReply: .verify(try decode(VerifyReply.self))
            case .gcReply: .gc(try decode(GCReply.self))
            case .shuttingDown: .shuttingDown(try decode(ShuttingDownEvent.self))
            case .error: .error(try decode(ErrorPayload.self))
            case .fatal: .fatal(try decode(ErrorPayload.self))
            case .hello, .ping, .cancel, .listBases, .listAdapters, .showAdapter, .importAdapter,
                .exportAdapter, .removeAdapter, .openSession, .attach, .detach, .switchAdapters,
                .closeSession, .getSegments, .merge, .evict, .stats, .verify, .gc:
                // Request opcodes: a server never sends them.
                throw WireError(.internal, "\(opcode) is a request opcode; a server sends only replies, events and errors")
            }
    }

    /// Why `requestID` is wrong for `opcode`, or `nil` when it is right: events carry 0,
    /// replies and ERROR carry the request's id (not 0), FATAL carries either.
    static func requestIDProblem(opcode: Opcode, requestID: UInt32) -> String? {
        switch opcode.kind {
        case .event where requestID != 0:
            "events carry request id 0, not \(requestID)"
        case .reply where requestID == 0, .error where requestID == 0:
            "a reply must carry the id of its request, not 0"
        case .request, .event, .reply, .error, .fatal, .reserved:
            nil
        }
    }
}
