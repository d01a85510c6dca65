import LoradDaemon
import LoradServer
import LoradServerTestSupport
import LoradWire
import Testing

/// ERROR and FATAL messages that echo client input stay one line: a name with a newline
/// and a control byte comes back escaped (`\n`, `\u{07}`), never raw.
@Suite struct ErrorMessageEscapingTests {
    static let hostile = "evil\nINFO: all good\u{7}"

    static func isOneLine(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    @Test func errorRepliesEscapeTheNameTheyEcho() async throws {
        let harness = try CoreHarness()
        for request in [
            ClientMessage.showAdapter(ShowAdapterRequest(adapter: AdapterRef(name: Self.hostile))),
            .removeAdapter(RemoveRequest(adapter: AdapterRef(name: Self.hostile), force: false)),
            .openSession(OpenSessionRequest(base: Self.hostile, mode: .fused)),
        ] {
            guard case .error(let payload) = await harness.call(request).message else {
                Issue.record("\(request) was not refused")
                continue
            }
            #expect(payload.code == .invalidArgument)
            #expect(Self.isOneLine(payload.message), "\(payload.message)")
            #expect(payload.message.contains(#"evil\nINFO: all good\u{07}"#), "\(payload.message)")
        }
    }

    @Test func fatalFramesEscapeTheClientNameTheyEcho() throws {
        let settings = ConnectionSettings(
            serverName: "lorad/test", frameLimits: FrameLimits(maxFrameBytes: 8192, maxFDsPerFrame: 4),
            maxRequestsInFlight: 3, handshakeTimeout: .seconds(5), partialFrameTimeout: .seconds(30))
        let now = ContinuousClock.now
        var state = ConnectionState<Int32>(settings: settings, now: now)
        let hello = try helloFrame(
            id: 2, minVersion: ProtocolVersion(major: 9, minor: 0), maxVersion: ProtocolVersion(major: 9, minor: 1),
            name: Self.hostile)
        let frames = try sentFrames(state.receive(hello.bytes, now: now))
        guard case .fatal(let payload)? = frames.first?.message else {
            Issue.record("expected FATAL, got \(frames)")
            return
        }
        #expect(payload.code == .unsupportedVersion)
        #expect(Self.isOneLine(payload.message), "\(payload.message)")
        #expect(payload.message.hasPrefix(#"client evil\nINFO: all good\u{07} offers protocol"#), "\(payload.message)")
    }
}
