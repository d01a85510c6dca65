import LoradClient
import LoradWire
import Testing

extension EndToEndTests {
    /// A session belongs to its connection: another client cannot read, switch or close
    /// it, and a request that fails changes nothing.
    @Suite struct SessionOwnershipTests {
        /// The server error code `body` fails with, nil when it succeeds or fails otherwise.
        func serverError(_ body: () throws -> Void) -> ErrorCode? {
            do {
                try body()
                return nil
            } catch let error as LoradClientError {
                guard case .server(let payload, _) = error else { return nil }
                return payload.code
            } catch {
                return nil
            }
        }

        @Test func anotherClientCannotTouchASessionAndFailedSwitchesChangeNothing() throws {
            let daemon = try DaemonProcess()
            let owner = try daemon.readyWithPlainAndMeta()
            let set = AdapterSet([("plain", 0.7), ("meta", -0.3)])
            let check = try SessionCheck(sets: [set], folder: daemon.folder)
            let session = try owner.openTinySession(.fused)
            try owner.switchAdapters(session: session, to: set.wire).closeDescriptors()

            let other = try daemon.connect(name: "other")
            #expect(serverError { try other.getSegments(session: session).closeDescriptors() } == .notFound)
            #expect(serverError { try other.switchAdapters(session: session, to: []).closeDescriptors() } == .notFound)
            #expect(serverError { _ = try other.attach(session: session, adapter: AdapterRef(name: "meta"), weight: 1) } == .notFound)
            #expect(serverError { _ = try other.detach(session: session, name: "plain") } == .notFound)
            #expect(serverError { try other.closeSession(session) } == .notFound)

            // Requests the owner makes that fail leave the set as it was.
            #expect(serverError { try owner.switchAdapters(session: session, to: [
                WeightedAdapter(adapter: AdapterRef(name: "missing"), weight: 1),
            ]).closeDescriptors() } == .notFound)
            #expect(serverError { try owner.switchAdapters(session: session, to: [
                WeightedAdapter(adapter: AdapterRef(name: "plain", version: 2), weight: 1),
            ]).closeDescriptors() } == .notFound)
            // Duplicate names and a NaN weight, sent raw (the client library would refuse them).
            for adapters in [
                AdapterSet([("plain", 1.0), ("plain", 0.5)]).wire,
                [WeightedAdapter(adapter: AdapterRef(name: "plain"), weight: .nan)],
            ] {
                let id = try owner.submit(.switchAdapters(SwitchRequest(sessionID: session, adapters: adapters)))
                #expect(serverError { _ = try owner.reply(to: id) } == .invalidArgument, "\(adapters)")
            }

            let state = try owner.getSegments(session: session)
            #expect(check.replyProblems(state, session: session, mode: .fused, generation: 1, set: set) == [])
            #expect(check.contentProblems(try SessionSegments(mapping: state), set: set, checkBase: true) == [])
            // Closing the other connection does not end the owner's session.
            other.close()
            #expect(try owner.ping(token: 1) == 1)
            try owner.getSegments(session: session).closeDescriptors()
            try owner.closeSession(session)
            #expect(serverError { try owner.getSegments(session: session).closeDescriptors() } == .notFound)
            owner.close()
            #expect(try daemon.stop() == 0)
        }
    }
}
