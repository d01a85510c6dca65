import LoradWire

/// A frame that breaks the spec, with the error a receiver must report.
struct InvalidVector: Sendable, CustomStringConvertible {
    var name: String
    var description: String
    /// `true`: sent by a client (decode with `ClientMessage`); `false`: sent by a server.
    var fromClient: Bool
    var bytes: [UInt8]
    /// Placeholder descriptors that arrive with the bytes (may differ from the header's count).
    var fds: [Int32]
    var expected: ErrorCode
}

private func sampleBytes(_ name: String) -> EncodedFrame {
    guard let sample = samples.first(where: { $0.name == name }), let frame = try? sample.encode() else {
        fatalError("test setup: no sample \(name)")
    }
    return frame
}

/// Payload offset `n` as a frame offset.
private func at(_ payloadOffset: Int) -> Int { FrameHeader.size + payloadOffset }

let invalidVectors: [InvalidVector] = {
    let hello = sampleBytes("hello_request")
    let ping = sampleBytes("ping_request")
    let export = sampleBytes("export_request")
    let attach = sampleBytes("attach_request")
    let switchEmpty = sampleBytes("switch_request_empty")
    let pingReply = sampleBytes("ping_reply")
    let cancelReply = sampleBytes("cancel_reply")
    let shutdown = sampleBytes("shutting_down_event")
    let openReply = sampleBytes("open_session_reply")

    var tooLarge = ByteWriter()
    FrameHeader(payloadLength: 65521, opcode: Opcode.ping.rawValue, fdCount: 0, requestID: 1).write(to: &tooLarge)

    var badUTF8 = hello.bytes
    badUTF8[at(10)] = 0xFF  // first byte of client_name (after two versions and the length)

    var longName = hello.bytes.withPayload(
        Array(hello.bytes.payload.prefix(8)) + [129, 0] + [UInt8](repeating: 0x61, count: 129))
    longName = longName.settingLittleEndian(UInt32(8 + 2 + 129), at: 0)

    var tooMany = switchEmpty.bytes
    tooMany.setLittleEndian(UInt16(65), at: at(8))  // adapters count after session_id

    var badTag = attach.bytes
    badTag[at(8 + 2 + 6)] = 2  // version tag after session_id and name "disney"

    var badIndex = export.bytes
    badIndex.setLittleEndian(UInt16(1), at: badIndex.count - 2)

    // open_session_reply: session_id 8, base 2+12, mode 1, generation 8, active count 2,
    // segments count 2, record length 2, then the segment's kind.
    var badKind = openReply.bytes
    badKind[at(8 + 14 + 1 + 8 + 2 + 2 + 2)] = 3

    var badBool = cancelReply.bytes
    badBool[at(0)] = 2

    return [
        InvalidVector(
            name: "hello_request_bad_utf8", description: "HELLO whose client_name starts with byte 0xff (not UTF-8)",
            fromClient: true, bytes: badUTF8, fds: [], expected: .malformedFrame),
        InvalidVector(
            name: "hello_request_name_over_limit", description: "HELLO whose client_name is 129 bytes (limit 128)",
            fromClient: true, bytes: longName, fds: [], expected: .malformedFrame),
        InvalidVector(
            name: "ping_request_truncated", description: "PING whose payload is 4 of its 8 bytes",
            fromClient: true, bytes: ping.bytes.withPayload(Array(ping.bytes.payload.prefix(4))), fds: [],
            expected: .malformedFrame),
        InvalidVector(
            name: "frame_too_large",
            description: "header announcing a 65537-byte frame (limit 65536); no payload follows",
            fromClient: true, bytes: tooLarge.bytes, fds: [], expected: .frameTooLarge),
        InvalidVector(
            name: "unknown_request_opcode", description: "PING payload under request opcode 0x0004 (not fatal)",
            fromClient: true, bytes: ping.bytes.settingLittleEndian(UInt16(0x0004), at: 4), fds: [],
            expected: .unknownOpcode),
        InvalidVector(
            name: "reserved_field_set", description: "PING whose header reserved field is 1",
            fromClient: true, bytes: ping.bytes.settingLittleEndian(UInt16(1), at: 10), fds: [],
            expected: .malformedFrame),
        InvalidVector(
            name: "critical_flag_set", description: "PING whose header sets flag bit 0 (critical, undefined in 1.0)",
            fromClient: true, bytes: ping.bytes.settingLittleEndian(UInt16(1), at: 6), fds: [],
            expected: .malformedFrame),
        InvalidVector(
            name: "request_id_zero", description: "PING with request id 0",
            fromClient: true, bytes: ping.bytes.settingLittleEndian(UInt32(0), at: 12), fds: [],
            expected: .protocolViolation),
        InvalidVector(
            name: "reply_sent_by_client", description: "PING_REPLY sent to the server",
            fromClient: true, bytes: pingReply.bytes, fds: [], expected: .protocolViolation),
        InvalidVector(
            name: "switch_request_too_many_adapters", description: "SWITCH whose adapters count is 65 (limit 64)",
            fromClient: true, bytes: tooMany, fds: [], expected: .malformedFrame),
        InvalidVector(
            name: "attach_request_bad_optional_tag", description: "ATTACH whose version optional tag is 2",
            fromClient: true, bytes: badTag, fds: [], expected: .malformedFrame),
        InvalidVector(
            name: "export_request_missing_fd", description: "EXPORT announcing 1 descriptor, none arriving",
            fromClient: true, bytes: export.bytes, fds: [], expected: .fdCountMismatch),
        InvalidVector(
            name: "ping_request_extra_fd", description: "PING announcing 0 descriptors, 1 arriving",
            fromClient: true, bytes: ping.bytes, fds: [fdA], expected: .fdCountMismatch),
        InvalidVector(
            name: "export_request_fd_index_out_of_range",
            description: "EXPORT naming descriptor index 1 of the 1 it carries",
            fromClient: true, bytes: badIndex, fds: [fdA], expected: .fdCountMismatch),
        InvalidVector(
            name: "event_with_request_id", description: "SHUTTING_DOWN event carrying request id 5",
            fromClient: false, bytes: shutdown.bytes.settingLittleEndian(UInt32(5), at: 12), fds: [],
            expected: .malformedFrame),
        InvalidVector(
            name: "open_session_reply_unknown_segment_kind", description: "OPEN_SESSION_REPLY whose segment kind is 3",
            fromClient: false, bytes: badKind, fds: openReply.fds, expected: .malformedFrame),
        InvalidVector(
            name: "cancel_reply_bad_bool", description: "CANCEL_REPLY whose was_pending byte is 2",
            fromClient: false, bytes: badBool, fds: [], expected: .malformedFrame),
    ]
}()
