import LoradTestSupport
import Testing

@testable import LoradWire

/// Seeded random corruption of valid frames: whatever arrives, the framer and both message
/// decoders must return a frame, a message or a typed error, never trap or hang; and anything
/// that decodes must re-encode to bytes that decode to the same thing (bit-exact).
@Suite struct MutationFuzzTests {
    private static let interestingBytes: [UInt8] = [0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF]
    private static let interestingU16: [UInt16] = [0, 1, 2, 64, 65, 128, 129, 253, 254, 0x7FFF, 0xFFFF]

    private func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<8, using: &rng) {
        case 0 where !bytes.isEmpty:
            bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        case 1 where !bytes.isEmpty:
            bytes[position] = UInt8.random(in: 0...255, using: &rng)
        case 2 where !bytes.isEmpty:
            bytes[position] = Self.interestingBytes.randomElement(using: &rng) ?? 0
        case 3:
            bytes.removeLast(Int.random(in: 0...bytes.count, using: &rng))
        case 4:
            let insert = (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes.insert(contentsOf: insert, at: position)
        case 5 where !bytes.isEmpty:
            bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &rng)))
        case 6 where bytes.count >= 2:
            let at = Int.random(in: 0..<(bytes.count - 1), using: &rng)
            bytes.setLittleEndian(Self.interestingU16.randomElement(using: &rng) ?? 0, at: at)
        default:
            // Keep the header's length honest so that payload corruption gets past the framer.
            if bytes.count >= FrameHeader.size { bytes.setLittleEndian(UInt32(bytes.count - FrameHeader.size), at: 0) }
        }
    }

    /// Decodes `frame` both ways; for each success, checks the re-encoding is stable.
    private func decodeBothWays(_ frame: Frame, outcomes: inout [String: Int]) {
        decode(frame, as: ClientMessage.self, label: "client", outcomes: &outcomes)
        decode(frame, as: ServerMessage.self, label: "server", outcomes: &outcomes)
    }

    private func decode<M: WireMessage>(_ frame: Frame, as type: M.Type, label: String, outcomes: inout [String: Int]) {
        let id = frame.header.requestID
        let message: M
        do {
            message = try M(decoding: frame)
        } catch {
            outcomes["\(label) \(error.code.name)", default: 0] += 1
            return
        }
        outcomes["\(label) ok", default: 0] += 1
        // Whatever decodes must encode, and decode again to the same bytes.
        do {
            let once = try message.encode(requestID: id, limits: .default)
            #expect(Set(once.fds) == Set(frame.fds))
            let again = Frame(header: header(once), payload: once.bytes.payload, fds: once.fds)
            #expect(try M(decoding: again).encode(requestID: id, limits: .default) == once)
        } catch {
            Issue.record("decoded \(message) but could not re-encode it: \(error)")
        }
    }

    private func header(_ frame: EncodedFrame) -> FrameHeader {
        var reader = ByteReader(frame.bytes)
        return FrameHeader.read(from: &reader) ?? FrameHeader(payloadLength: 0, opcode: 0, fdCount: 0, requestID: 0)
    }

    @Test func tenThousandCorruptedFramesNeverCrash() throws {
        var rng = SplitMix64(seed: 0x10AD_F022_0001)
        let originals = try samples.map { try $0.encode() }
        var outcomes: [String: Int] = [:]
        for _ in 0..<10_000 {
            let original = originals.randomElement(using: &rng) ?? originals[0]
            var bytes = original.bytes
            for _ in 0..<Int.random(in: 1...3, using: &rng) { mutate(&bytes, &rng) }
            var fds = original.fds
            if Int.random(in: 0..<10, using: &rng) == 0 {
                fds = (0..<Int.random(in: 0...4, using: &rng)).map { Int32(200 + $0) }
            }
            let chunk = Bool.random(using: &rng) ? Int.max : Int.random(in: 1...32, using: &rng)
            do {
                let decoded = try frames(from: bytes, fds: fds, chunkSize: chunk)
                if decoded.isEmpty { outcomes["incomplete", default: 0] += 1 }
                for frame in decoded { decodeBothWays(frame, outcomes: &outcomes) }
            } catch {
                #expect(error.code.isFatal, "framing errors end the connection: \(error)")
                outcomes["frame \(error.code.name)", default: 0] += 1
            }
        }
        // The corpus exercised success and failure on every layer.
        for key in [
            "client ok", "server ok", "incomplete", "frame malformed_frame", "frame frame_too_large",
            "frame fd_count_mismatch", "client malformed_frame", "server malformed_frame", "client fd_count_mismatch",
            "client unknown_opcode", "server unknown_opcode", "client protocol_violation",
        ] {
            #expect(outcomes[key, default: 0] > 0, "no \(key) outcome in \(outcomes)")
        }
    }

    @Test func randomStreamsNeverCrash() {
        var rng = SplitMix64(seed: 0x5EED_0002)
        var errors = 0
        for _ in 0..<3000 {
            var bytes = (0..<Int.random(in: 0...96, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if bytes.count >= FrameHeader.size, Bool.random(using: &rng) {
                // Plausible header: small length, no fds, no reserved bits.
                bytes.setLittleEndian(UInt32(bytes.count - FrameHeader.size), at: 0)
                bytes.setLittleEndian(UInt32(0), at: 8)
            }
            do {
                for frame in try frames(from: bytes, chunkSize: Int.random(in: 1...16, using: &rng)) {
                    var outcomes: [String: Int] = [:]
                    decodeBothWays(frame, outcomes: &outcomes)
                }
            } catch {
                errors += 1
            }
        }
        #expect(errors > 0)
    }
}
