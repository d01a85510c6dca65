import LoradClient
import LoradSystem
import LoradWire
import Testing

extension EndToEndTests {
    /// Acceptance 1: what a session serves is exactly what the offline tools compute.
    @Suite struct SessionRoundTripTests {
        /// The sets a session walks through, back and forth, in both modes.
        static let walk: [AdapterSet] = [
            AdapterSet([("plain", 1.0)]),
            AdapterSet([("meta", 1.0)]),
            AdapterSet([("plain", 0.7), ("meta", -0.3)]),
            AdapterSet([("plain", 1.0)]),
            AdapterSet([]),
            AdapterSet([("meta", -0.3), ("plain", 0.7)]),
            AdapterSet([("plain", 0.7), ("meta", -0.3)]),
            AdapterSet([("meta", 2.5)]),
            AdapterSet([("plain", 1.0)]),
        ]

        @Test func importReportsTheFixturesLayoutRankAndAlpha() throws {
            let daemon = try DaemonProcess()
            let admin = try daemon.waitUntilReady()
            let plain = try admin.importFixture("diffusers_plain", as: "plain")
            let meta = try admin.importFixture("diffusers_meta", as: "meta")
            #expect(plain.name == "plain" && plain.version == 1 && plain.sourceFormat == "diffusers")
            #expect(plain.rank == 8 && plain.alpha == 8 && plain.moduleCount == 8)
            #expect(meta.name == "meta" && meta.version == 1 && meta.sourceFormat == "diffusers")
            #expect(meta.rank == 4 && meta.alpha == 8 && meta.moduleCount == 8)
            let listed = try admin.listAllAdapters().map(\.name)
            #expect(listed == ["meta", "plain"])
            admin.close()
            #expect(try daemon.stop() == 0)
        }

        @Test(arguments: [SessionMode.fused, SessionMode.factors])
        func switchingBackAndForthAlwaysServesTheRightSegments(mode: SessionMode) throws {
            let daemon = try DaemonProcess()
            let admin = try daemon.readyWithPlainAndMeta()
            let check = try SessionCheck(sets: Self.walk, folder: daemon.folder)

            let opened = try admin.openSession(base: DaemonProcess.baseName, mode: mode)
            let session = opened.sessionID
            #expect(check.replyProblems(opened, session: session, mode: mode, generation: 0, set: AdapterSet([])) == [])
            var previous = try SessionSegments(mapping: opened)
            #expect(check.contentProblems(previous, set: AdapterSet([]), checkBase: true) == [])
            var overlayIDs: [AdapterSet: UInt64] = [:]

            for (step, set) in Self.walk.enumerated() {
                let generation = UInt64(step + 1)
                let state = try admin.switchAdapters(session: session, to: set.wire)
                #expect(check.replyProblems(state, session: session, mode: mode, generation: generation, set: set) == [])
                let mapped = try SessionSegments(mapping: state, reusing: previous)
                #expect(check.contentProblems(mapped, set: set, checkBase: true) == [], "step \(step)")
                // The same set is served from the same shared overlay.
                if let overlay = mapped.overlay {
                    if let seen = overlayIDs[set] { #expect(overlay.segmentID == seen, "step \(step) \(set)") }
                    overlayIDs[set] = overlay.segmentID
                }
                // GET_SEGMENTS says the same as the SWITCH reply.
                let again = try admin.getSegments(session: session)
                #expect(check.replyProblems(again, session: session, mode: mode, generation: generation, set: set) == [])
                #expect(again.segments.map(\.segmentID) == state.segments.map(\.segmentID))
                #expect(check.contentProblems(try SessionSegments(mapping: again), set: set, checkBase: false) == [])
                previous = mapped
            }

            // ATTACH and DETACH reach the same sets as SWITCH.
            _ = try admin.switchAdapters(session: session, to: AdapterSet([("plain", 0.7)]).wire).closeDescriptors()
            let attached = try admin.attach(session: session, adapter: AdapterRef(name: "meta"), weight: -0.3)
            let both = AdapterSet([("plain", 0.7), ("meta", -0.3)])
            let base = UInt64(Self.walk.count)
            #expect(check.replyProblems(attached, session: session, mode: mode, generation: base + 2, set: both) == [])
            #expect(check.contentProblems(try SessionSegments(mapping: attached), set: both, checkBase: false) == [])
            let detached = try admin.detach(session: session, name: "plain")
            let metaOnly = AdapterSet([("meta", -0.3)])
            let metaReference = try SessionCheck(sets: [metaOnly], folder: daemon.folder)
            #expect(metaReference.replyProblems(detached, session: session, mode: mode, generation: base + 3, set: metaOnly) == [])
            #expect(metaReference.contentProblems(try SessionSegments(mapping: detached), set: metaOnly, checkBase: false) == [])

            try admin.closeSession(session)
            admin.close()
            #expect(try daemon.stop() == 0)
        }

        @Test func fusedOverlayAndOnlineMergeEqualTheOfflineMergeOfPlainAndMeta() throws {
            let daemon = try DaemonProcess()
            let admin = try daemon.readyWithPlainAndMeta()
            let set = AdapterSet([("plain", 0.7), ("meta", -0.3)])
            let reference = try ReferenceMerges(sets: [set], folder: daemon.folder)
            let expected = try #require(reference.merged[set])

            // The overlay: every tensor it holds is bit for bit the offline merge's, and
            // base + overlay is the whole merged model.
            let session = try admin.openTinySession(.fused)
            let mapped = try SessionSegments(mapping: try admin.switchAdapters(session: session, to: set.wire))
            let overlay = try TensorFile(region: try #require(mapped.overlay).region)
            let base = try TensorFile(region: try #require(mapped.baseSegment).region)
            #expect(base.tensors == reference.base.tensors)
            #expect(overlay.tensors.count == 8)
            #expect(reference.overlayProblems(overlay, for: set) == [])
            var composed = base.tensors
            composed.merge(overlay.tensors) { _, fused in fused }
            #expect(composed == expected.tensors)

            // The daemon's MERGE writes the same model.
            let output = daemon.folder.file("online-merge.safetensors")
            let file = try FileDescriptor.open(output, .writeOnly, options: [.create, .truncate])
            let reply = try admin.merge(base: DaemonProcess.baseName, adapters: set.wire, into: file)
            try file.close()
            #expect(reply.tensorsMerged == 8)
            #expect(try TensorFile(path: output).tensors == expected.tensors)

            try admin.closeSession(session)
            admin.close()
            #expect(try daemon.stop() == 0)
        }
    }
}
