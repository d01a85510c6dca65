/// The fixed 16-byte little-endian header in front of every frame (PROTOCOL.md, "Framing").
///
/// ```
/// offset 0  u32 payload_length   bytes after the header
/// offset 4  u16 opcode
/// offset 6  u16 flags            bits 0-7 critical, bits 8-15 advisory; none defined in 1.0
/// offset 8  u16 fd_count         descriptors sent with this frame (SCM_RIGHTS)
/// offset 10 u16 reserved         0
/// offset 12 u32 request_id       0 for events
/// ```
public struct FrameHeader: Hashable, Sendable {
    /// The header's size in bytes: 16.
    public static let size = 16
    /// Flag bits a receiver must understand: a frame with an unknown one is malformed.
    public static let criticalFlagsMask: UInt16 = 0x00FF
    /// Flag bits defined by version 1.0: none.
    public static let knownFlags: UInt16 = 0

    /// The number of payload bytes following the header.
    public var payloadLength: UInt32
    /// The raw opcode; see `Opcode` (unknown values are valid framing).
    public var opcode: UInt16
    /// Frame flags; 0 in version 1.0. Unknown advisory bits (8–15) are ignored.
    public var flags: UInt16
    /// How many descriptors travel with this frame.
    public var fdCount: UInt16
    /// Must be 0 in version 1.0.
    public var reserved: UInt16
    /// The client-chosen request id a reply echoes; 0 for events.
    public var requestID: UInt32

    /// Creates a header; `flags` and `reserved` default to 0.
    public init(
        payloadLength: UInt32, opcode: UInt16, flags: UInt16 = 0, fdCount: UInt16,
        reserved: UInt16 = 0, requestID: UInt32
    ) {
        self.payloadLength = payloadLength
        self.opcode = opcode
        self.flags = flags
        self.fdCount = fdCount
        self.reserved = reserved
        self.requestID = requestID
    }

    /// Reads a header, or returns `nil` (moving nothing) when fewer than 16 bytes remain.
    /// Does not validate; see `validate(limits:)`.
    public static func read(from reader: inout ByteReader) -> FrameHeader? {
        let start = reader.readerIndex
        guard reader.readableBytes >= size,
            let length = reader.getInteger(at: start, as: UInt32.self),
            let opcode = reader.getInteger(at: start + 4, as: UInt16.self),
            let flags = reader.getInteger(at: start + 6, as: UInt16.self),
            let fdCount = reader.getInteger(at: start + 8, as: UInt16.self),
            let reserved = reader.getInteger(at: start + 10, as: UInt16.self),
            let requestID = reader.getInteger(at: start + 12, as: UInt32.self)
        else { return nil }
        reader.moveReaderIndex(forwardBy: size)
        return FrameHeader(
            payloadLength: length, opcode: opcode, flags: flags, fdCount: fdCount,
            reserved: reserved, requestID: requestID)
    }

    /// Appends the 16 header bytes.
    public func write(to writer: inout ByteWriter) {
        writer.writeInteger(payloadLength)
        writer.writeInteger(opcode)
        writer.writeInteger(flags)
        writer.writeInteger(fdCount)
        writer.writeInteger(reserved)
        writer.writeInteger(requestID)
    }

    /// Overwrites the first 16 bytes of `writer` (room left for the header, as
    /// `PayloadWriter.forFrame` does) with the header, in place; does nothing when fewer
    /// than 16 bytes were written.
    public func write(over writer: inout ByteWriter) {
        guard writer.count >= Self.size else { return }
        writer.setInteger(payloadLength, at: 0)
        writer.setInteger(opcode, at: 4)
        writer.setInteger(flags, at: 6)
        writer.setInteger(fdCount, at: 8)
        writer.setInteger(reserved, at: 10)
        writer.setInteger(requestID, at: 12)
    }

    /// Checks the header against the spec and `limits`: `reserved` must be 0 and no unknown
    /// critical flag set (`malformed_frame`); the frame must fit `maxFrameBytes` and carry at
    /// most `maxFDsPerFrame` descriptors (`frame_too_large`).
    public func validate(limits: FrameLimits) throws(WireError) {
        guard reserved == 0 else {
            throw WireError(.malformedFrame, "frame header: reserved field is \(reserved), must be 0")
        }
        let unknownCritical = flags & FrameHeader.criticalFlagsMask & ~FrameHeader.knownFlags
        guard unknownCritical == 0 else {
            throw WireError(
                .malformedFrame,
                "frame header: unknown critical flag bits 0x\(String(unknownCritical, radix: 16)); version 1.0 defines none"
            )
        }
        guard Int(payloadLength) <= limits.maxPayloadBytes else {
            throw WireError(
                .frameTooLarge,
                "frame of \(UInt64(payloadLength) + UInt64(FrameHeader.size)) bytes exceeds the announced limit of \(limits.maxFrameBytes) bytes; split the request or page the reply"
            )
        }
        guard fdCount <= limits.maxFDsPerFrame else {
            throw WireError(
                .frameTooLarge,
                "frame carries \(fdCount) descriptors; the announced limit is \(limits.maxFDsPerFrame)")
        }
    }
}
