extension ClientMessage {
    /// Encodes this request as a frame with the client-chosen `requestID` (1 or more; 0 is
    /// reserved for events), checked against the connection's `limits`. Throws
    /// `invalid_argument` (a field over its bound, request id 0) or `frame_too_large`.
    public func encode(requestID: UInt32, limits: FrameLimits = .default) throws(WireError) -> EncodedFrame {
        guard requestID != 0 else {
            throw WireError(
                .invalidArgument, "cannot encode \(opcode): request id 0 is reserved for events; use 1 or more")
        }
        return try EncodedFrame(opcode: opcode, requestID: requestID, payload: parts.payload, limits: limits)
    }

    /// Decodes a request frame received by the server.
    ///
    /// Throws `unknown_opcode` (not fatal: answer with an ERROR reply and go on) for a
    /// request-range opcode this version does not define; `protocol_violation` for an opcode
    /// outside the request range or request id 0; `malformed_frame` or `fd_count_mismatch`
    /// when the payload breaks the spec. The caller closes `frame.fds` whenever this throws.
    /// Trailing payload bytes after the known fields are ignored.
    public init(decoding frame: Frame) throws(WireError) {
        let raw = frame.header.opcode
        guard let opcode = Opcode(rawValue: raw), opcode.kind == .request else {
            let hex = "0x" + String(raw, radix: 16)
            if Opcode.kind(of: raw) == .request {
                throw WireError(
                    .unknownOpcode,
                    "request opcode \(hex) is not defined by protocol \(ProtocolVersion.current); the frame was skipped"
                )
            }
            throw WireError(
                .protocolViolation,
                "opcode \(hex) is not a request opcode; a client sends only requests (0x0001-0x3fff)")
        }
        guard frame.header.requestID != 0 else {
            throw WireError(
                .protocolViolation, "\(opcode) has request id 0, which is reserved for events; use 1 or more")
        }
        func decode<T: WireCodable>(_ type: T.Type) throws(WireError) -> T {
            try PayloadReader.decode(T.self, payload: frame.payload, fds: frame.fds, naming: .opcode(opcode))
        }
        self =
            switch opcode {
            case .hello: .hello(try decode(HelloRequest.self))
            case .ping: .ping(try decode(PingRequest.self))
            case .cancel: .cancel(try decode(CancelRequest.self))
            case .listBases: .listBases(try decode(ListBasesRequest.self))
            case .listAdapters: .listAdapters(try decode(ListAdaptersRequest.self))
            case .showAdapter: .showAdapter(try decode(ShowAdapterRequest.self))
            case .importAdapter: .importAdapter(try decode(ImportRequest.self))
            case .exportAdapter: .exportAdapter(try decode(ExportRequest.self))
            case .removeAdapter: .removeAdapter(try decode(RemoveRequest.self))
            case .openSession: .openSession(try decode(OpenSessionRequest.self))
            case .attach: .attach(try decode(AttachRequest.self))
            case .detach: .detach(try decode(DetachRequest.self))
            case .switchAdapters: .switchAdapters(try decode(SwitchRequest.self))
            case .closeSession: .closeSession(try decode(CloseSessionRequest.self))
            case .getSegments: .getSegments(try decode(GetSegmentsRequest.self))
            case .merge: .merge(try decode(MergeRequest.self))
            case .evict: .evict(try decode(EvictRequest.self))
            case .stats: .stats(try decode(StatsRequest.self))
            case .verify: .verify(try decode(VerifyRequest.self))
            case .gc: .gc(try decode(GCRequest.self))
            case .helloReply, .pingReply, .cancelReply, .listBasesReply, .listAdaptersReply,
                .showAdapterReply, .importAdapterReply, .exportAdapterReply, .removeAdapterReply,
                .openSessionReply, .attachReply, .detachReply, .switchAdaptersReply,
                .closeSessionReply, .getSegmentsReply, .mergeReply, .evictReply, .statsReply,
                .verifyReply, .gcReply, .shuttingDown, .error, .fatal:
                // Not request opcodes: the guard above already refused them.
                throw WireError(.internal, "\(opcode) is not a request opcode")
            }
    }
}
