import LoradWire

/// The core reports every request failure as a ``WireError``: a stable protocol code and a
/// one-line message saying what was wrong and what to do.
extension WireError {
    /// The ERROR reply carrying this error, its message cut on a character boundary to the
    /// protocol's 1024-byte bound.
    public var reply: ServerMessage {
        .error(ErrorPayload(code: code, message: WireError.fitting(message, bytes: WireLimits.maxMessageBytes)))
    }

    /// The ERROR reply for a peer that negotiated `version`: as ``reply``, with a code that
    /// version does not define replaced by the older one closest in meaning
    /// (``ErrorCode/compatible(with:)``).
    public func reply(for version: ProtocolVersion) -> ServerMessage {
        WireError(code.compatible(with: version), message).reply
    }

    /// `text` cut to at most `bytes` UTF-8 bytes, on a character boundary, with a trailing
    /// ellipsis when something was cut (``BoundedText/cut(_:toBytes:ellipsis:)``).
    static func fitting(_ text: String, bytes limit: Int) -> String {
        BoundedText.cut(text, toBytes: limit, ellipsis: "...")
    }

    /// The request was abandoned because of CANCEL or because its connection closed.
    static let cancelled = WireError(.cancelled, "the request was cancelled before it finished")
}
