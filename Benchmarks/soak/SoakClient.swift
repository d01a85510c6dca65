import Foundation
import LoradClient
import LoradSystem
import LoradTestSupport
import LoradWire
import Synchronization

/// One of the soak's clients: a connection (made again after each abrupt disconnect), up
/// to two sessions, and the adapters it imported, driven by a seeded generator until the
/// deadline. Every reply is checked against what the client knows its sessions should be
/// (see ``SessionModel``) and every segment against the references (``SegmentLedger``);
/// an error is a failure unless it is a refusal the protocol documents for that request.
///
/// Runs on one thread; not shared.
final class SoakClient {
    /// What the client knows a session of its own must be after the last reply.
    struct SessionModel {
        let id: UInt64
        let mode: SessionMode
        var generation: UInt64
        var set: SoakSet
        var segmentIDs: [UInt64]
    }

    /// What every client shares.
    struct Setup: Sendable {
        var socket: String
        var references: References
        var ledger: SegmentLedger
        /// Files to import as copies of a pool adapter: (pool name, paths).
        var importSources: [(like: String, files: [String])]
        /// Requests answered so far by every client (for the per-second throughput).
        var answered: SharedCounter
    }

    /// A counter the clients and the sampler share (`Atomic` cannot be copied).
    final class SharedCounter: Sendable {
        /// The count.
        let value = Atomic<Int>(0)
    }

    private let index: Int
    private let setup: Setup
    private var generator: SplitMix64
    private var connection: LoradConnection?
    private var sessions: [SessionModel] = []
    private var imported: [String] = []
    private var importCounter = 0
    private(set) var tally = SoakTally()
    private let clock = ContinuousClock()

    /// Client number `index`, its steps drawn from a generator seeded with `seed` and `index`.
    init(index: Int, seed: UInt64, setup: Setup) {
        self.index = index
        self.setup = setup
        self.generator = SplitMix64(seed: seed ^ (UInt64(index + 1) &* 0xD1B5_4A32_D192_ED03))
    }

    /// Takes steps until `deadline`, then removes what it imported and closes its
    /// connection. A failed check is counted and the connection dropped (sessions and
    /// all), so one bad reply cannot cascade into many.
    func run(until deadline: ContinuousClock.Instant) {
        while clock.now < deadline {
            do {
                try step()
            } catch {
                tally.fail(error)
                drop()
            }
        }
        do {
            try removeImports()
        } catch {
            tally.fail(error)
        }
        connection?.close()
        connection = nil
    }

    // MARK: - Steps

    private func step() throws(SoakFailure) {
        let connection = try connected()
        switch SoakAction.draw(&generator) {
        case .open:
            if sessions.count >= 2 { try close(connection) } else { try open(connection) }
        case .attach:
            try attach(connection)
        case .detach:
            try detach(connection)
        case .switchSet:
            try switchSet(connection, cold: false)
        case .switchCold:
            try switchSet(connection, cold: true)
        case .getSegments:
            guard let session = randomSessionIndex() else { return try open(connection) }
            try getSegments(connection, session: session)
        case .close:
            try close(connection)
        case .importAdapter:
            try importCopy(connection)
        case .remove:
            if imported.isEmpty { try importCopy(connection) } else { try removeOldestImport(connection) }
        case .cancel:
            try cancelSwitch(connection)
        case .disconnect:
            try disconnect(connection)
        }
    }

    private func open(_ connection: LoradConnection) throws(SoakFailure) {
        let mode: SessionMode = generator.below(10) < 7 ? .fused : .factors
        guard let reply = try send("OPEN_SESSION (\(mode))", refusals: [.resourceExhausted], {
            () throws(LoradClientError) in try connection.openSession(base: setup.references.base, mode: mode)
        }) else { return }
        let model = SessionModel(id: reply.value.sessionID, mode: mode, generation: 0, set: .empty, segmentIDs: [])
        let (ids, _) = try check(reply.value, expected: model, context: "OPEN_SESSION (\(mode))")
        sessions.append(SessionModel(id: model.id, mode: mode, generation: 0, set: .empty, segmentIDs: ids))
        tally.record("open", microseconds: reply.microseconds)
    }

    private func attach(_ connection: LoradConnection) throws(SoakFailure) {
        guard let position = randomSessionIndex() else { return try open(connection) }
        let set = sessions[position].set
        var choices: [SoakSet.Term] = []
        for name in setup.references.adapterNames {
            for weight in setup.references.weights {
                if let term = set.terms.first(where: { $0.name == name }) {
                    if term.weight != weight { choices.append(SoakSet.Term(name: name, weight: weight)) }
                } else if set.terms.count < SoakSet.largest {
                    choices.append(SoakSet.Term(name: name, weight: weight))
                }
            }
        }
        guard !choices.isEmpty else { return try switchSet(connection, cold: false) }
        let term = choices[generator.below(choices.count)]
        let next = set.attaching(term.name, weight: term.weight)
        try change(connection, at: position, to: next, measure: "attach", what: "ATTACH \(term.name)*\(term.weight) to \(set)") {
            () throws(LoradClientError) in
            try connection.attach(session: self.sessions[position].id, adapter: AdapterRef(name: term.name), weight: term.weight)
        }
    }

    private func detach(_ connection: LoradConnection) throws(SoakFailure) {
        guard let position = randomSessionIndex() else { return try open(connection) }
        let set = sessions[position].set
        guard !set.terms.isEmpty else { return try attach(connection) }
        let name = set.terms[generator.below(set.terms.count)].name
        try change(connection, at: position, to: set.detaching(name), measure: "detach", what: "DETACH \(name) from \(set)") {
            () throws(LoradClientError) in try connection.detach(session: self.sessions[position].id, name: name)
        }
    }

    private func switchSet(_ connection: LoradConnection, cold: Bool) throws(SoakFailure) {
        guard let position = randomSessionIndex() else { return try open(connection) }
        let next = randomPoolSet()
        if cold { try evict(connection) }
        try change(connection, at: position, to: next, measure: "switch", what: "SWITCH \(sessions[position].set) -> \(next)") {
            () throws(LoradClientError) in
            try connection.switchAdapters(session: self.sessions[position].id, to: next.weightedAdapters)
        }
    }

    /// Sends a request changing session `position`'s set to `next`, checks the reply and
    /// records the latency as `measure`; a switch is `switch (cold)` when the reply brought
    /// a segment id never seen before, else `switch (cached)`.
    private func change(
        _ connection: LoradConnection, at position: Int, to next: SoakSet, measure: String, what: String,
        _ body: () throws(LoradClientError) -> SessionState
    ) throws(SoakFailure) {
        guard let reply = try send(what, refusals: [.resourceExhausted], body) else { return }
        try applied(reply.value, at: position, set: next, what: what, measure: measure, microseconds: reply.microseconds)
    }

    /// Checks a reply that changed session `position` to `set` and makes it the model.
    private func applied(
        _ state: SessionState, at position: Int, set: SoakSet, what: String, measure: String, microseconds: Double
    ) throws(SoakFailure) {
        var model = sessions[position]
        model.generation += 1
        model.set = set
        let (ids, built) = try check(state, expected: model, context: what)
        model.segmentIDs = ids
        sessions[position] = model
        let name = measure == "switch" ? (built ? "switch (cold)" : "switch (cached)") : measure
        tally.record(name, microseconds: microseconds)
    }

    private func getSegments(_ connection: LoradConnection, session position: Int) throws(SoakFailure) {
        let model = sessions[position]
        guard let reply = try send("GET_SEGMENTS", refusals: [], {
            () throws(LoradClientError) in try connection.getSegments(session: model.id)
        }) else { return }
        let (ids, built) = try check(reply.value, expected: model, context: "GET_SEGMENTS of \(model.set)")
        guard ids == model.segmentIDs, !built else {
            throw SoakFailure("GET_SEGMENTS of session \(model.id) (\(model.set)) gave segments \(ids), the last reply \(model.segmentIDs)")
        }
        tally.record("get-segments", microseconds: reply.microseconds)
    }

    private func close(_ connection: LoradConnection) throws(SoakFailure) {
        guard let position = randomSessionIndex() else { return try open(connection) }
        let id = sessions[position].id
        guard let reply = try send("CLOSE_SESSION", refusals: [], {
            () throws(LoradClientError) in try connection.closeSession(id)
        }) else { return }
        sessions.remove(at: position)
        tally.record("close", microseconds: reply.microseconds)
        try expectNotFound("GET_SEGMENTS of closed session \(id)") { () throws(LoradClientError) in
            try connection.getSegments(session: id).closeDescriptors()
        }
    }

    private func importCopy(_ connection: LoradConnection) throws(SoakFailure) {
        let source = setup.importSources[generator.below(setup.importSources.count)]
        importCounter += 1
        let name = "soak-\(index)-\(importCounter)"
        var files: [(name: String, descriptor: FileDescriptor)] = []
        defer { for file in files { try? file.descriptor.close() } }
        for path in source.files {
            do {
                files.append(((path as NSString).lastPathComponent, try FileDescriptor.openRegularFile(path)))
            } catch {
                throw SoakFailure("cannot open \(path) to import: \(error)")
            }
        }
        let base = setup.references.base
        guard let reply = try send("IMPORT \(name)", refusals: [.resourceExhausted], {
            () throws(LoradClientError) in try connection.importAdapter(name: name, files: files, base: base)
        }) else { return }
        imported.append(name)
        guard let like = setup.references.adapters[source.like] else { return }
        let got = reply.value
        guard got.name == name, got.version == 1, got.sourceFormat == like.sourceFormat, got.rank == like.rank,
              got.moduleCount == like.moduleCount
        else {
            throw SoakFailure("IMPORT \(name) (files of \(source.like)) answered \(got.name)@\(got.version), \(got.sourceFormat), rank \(got.rank), \(got.moduleCount) modules; \(source.like) is \(like.sourceFormat), rank \(like.rank), \(like.moduleCount) modules")
        }
        tally.record("import", microseconds: reply.microseconds)
        guard let shown = try send("SHOW_ADAPTER \(name)", refusals: [], {
            () throws(LoradClientError) in try connection.showAdapter(AdapterRef(name: name))
        }) else { return }
        guard shown.value.digest == like.digest, shown.value.version == 1 else {
            throw SoakFailure("SHOW_ADAPTER \(name) gave version \(shown.value.version), digest \(shown.value.digest); the same files are \(source.like), digest \(like.digest)")
        }
        tally.record("show", microseconds: shown.microseconds)
    }

    private func removeOldestImport(_ connection: LoradConnection) throws(SoakFailure) {
        let name = imported.removeFirst()
        guard let reply = try send("REMOVE \(name)", refusals: [], {
            () throws(LoradClientError) in try connection.removeAdapter(AdapterRef(name: name))
        }) else {
            imported.insert(name, at: 0)
            return
        }
        guard reply.value == 1 else { throw SoakFailure("REMOVE \(name) removed \(reply.value) versions, expected 1") }
        tally.record("remove", microseconds: reply.microseconds)
        try expectNotFound("SHOW_ADAPTER of removed \(name)") { () throws(LoradClientError) in
            _ = try connection.showAdapter(AdapterRef(name: name))
        }
    }

    /// SWITCH, CANCEL at once, then both answers. CANCEL_REPLY's `was_pending` must agree
    /// with the SWITCH's answer (`cancelled` exactly when it was pending), and a cancelled
    /// SWITCH must have changed nothing (GET_SEGMENTS shows the old generation).
    private func cancelSwitch(_ connection: LoradConnection) throws(SoakFailure) {
        guard let position = randomSessionIndex() else { return try open(connection) }
        let next = randomPoolSet()
        if generator.below(2) == 0 { try evict(connection) }
        let model = sessions[position]
        let what = "SWITCH \(model.set) -> \(next), cancelled at once"
        let started = clock.now
        let target: UInt32
        let wasPending: Bool
        do {
            target = try connection.submit(.switchAdapters(SwitchRequest(sessionID: model.id, adapters: next.weightedAdapters)))
            wasPending = try connection.cancel(requestID: target)
        } catch {
            throw SoakFailure("\(what): the connection failed: \(error)")
        }
        setup.answered.value.add(1, ordering: .relaxed)
        do {
            let reply = try connection.reply(to: target)
            setup.answered.value.add(1, ordering: .relaxed)
            let microseconds = (clock.now - started).inSeconds * 1e6
            guard case .switchAdapters(let payload) = reply.message else {
                reply.closeDescriptors()
                throw SoakFailure("\(what): answered with \(reply.message.opcode)")
            }
            let state = SessionState(payload)
            if wasPending {
                state.closeDescriptors()
                throw SoakFailure("\(what): CANCEL said the SWITCH was pending, yet it was answered")
            }
            tally.count("cancel: switch answered first")
            try applied(state, at: position, set: next, what: what, measure: "cancel", microseconds: microseconds)
        } catch let failure as SoakFailure {
            throw failure
        } catch let error as LoradClientError {
            setup.answered.value.add(1, ordering: .relaxed)
            guard error.code == .cancelled else {
                try refusal(error, allowed: [.resourceExhausted], what: what)
                return
            }
            tally.refusals["cancelled", default: 0] += 1
            guard wasPending else { throw SoakFailure("\(what): the SWITCH got `cancelled` although CANCEL said it was not pending") }
            tally.count("cancel: switch cancelled")
            try getSegments(connection, session: position)
        } catch {
            throw SoakFailure("\(what): \(error)")
        }
    }

    /// Sends a SWITCH (half the time after EVICT) and closes the socket without reading:
    /// lorad must cancel it, close the sessions and release their segments.
    private func disconnect(_ connection: LoradConnection) throws(SoakFailure) {
        if let position = randomSessionIndex() {
            if generator.below(2) == 0 { try evict(connection) }
            let request = SwitchRequest(sessionID: sessions[position].id, adapters: randomPoolSet().weightedAdapters)
            do {
                _ = try connection.submit(.switchAdapters(request))
            } catch {
                throw SoakFailure("SWITCH before a disconnect: the connection failed: \(error)")
            }
        }
        tally.count("abrupt disconnects")
        tally.count("sessions left open at a disconnect", by: sessions.count)
        drop()
    }

    private func evict(_ connection: LoradConnection) throws(SoakFailure) {
        guard let reply = try send("EVICT", refusals: [], { () throws(LoradClientError) in try connection.evict() }) else {
            return
        }
        tally.record("evict", microseconds: reply.microseconds)
    }

    private func removeImports() throws(SoakFailure) {
        guard !imported.isEmpty else { return }
        let connection = try connected()
        while !imported.isEmpty { try removeOldestImport(connection) }
    }

    // MARK: - Checks

    /// Checks a session reply against `expected` (id, base, mode, generation, the active
    /// set with versions resolved, the segments in order); closes its descriptors.
    /// - Returns: the segment ids, and whether any was new (built for this request).
    private func check(_ state: SessionState, expected: SessionModel, context: String) throws(SoakFailure) -> ([UInt64], Bool) {
        defer { state.closeDescriptors() }
        let references = setup.references
        guard state.sessionID == expected.id, state.base == references.base, state.mode == expected.mode,
              state.generation == expected.generation
        else {
            throw SoakFailure("\(context): reply for session \(state.sessionID) on \(state.base), \(state.mode), generation \(state.generation); expected session \(expected.id), \(expected.mode), generation \(expected.generation)")
        }
        let active = state.active.map { SoakSet.Term(name: $0.name, weight: $0.weight) }
        let versions = state.active.map(\.version)
        let wantedVersions = expected.set.terms.map { references.adapters[$0.name]?.version ?? 0 }
        guard active == expected.set.terms, versions == wantedVersions else {
            throw SoakFailure("\(context): active set \(SoakSet(terms: active)) versions \(versions); expected \(expected.set) versions \(wantedVersions)")
        }
        var identities: [SegmentIdentity] = [.base]
        if !expected.set.terms.isEmpty {
            switch expected.mode {
            case .fused: identities.append(.overlay(expected.set))
            case .factors: identities += expected.set.terms.map { .factors(adapter: $0.name) }
            }
        }
        guard state.segments.count == identities.count else {
            throw SoakFailure("\(context): \(state.segments.count) segments, expected \(identities.count) (\(identities))")
        }
        var built = false
        for (position, (segment, identity)) in zip(state.segments, identities).enumerated() {
            let kind: SegmentKind = switch identity {
            case .base: .base
            case .overlay: .overlay
            case .factors: .factors
            }
            let adapterIndex: Int? = identity.isFactors ? position - 1 : nil
            guard segment.kind == kind, segment.adapterIndex == adapterIndex else {
                throw SoakFailure("\(context): segment \(position) is \(segment.kind) (adapter index \(segment.adapterIndex.map(String.init) ?? "none")), expected the \(identity)")
            }
            if try setup.ledger.check(segment, is: identity, context: context) { built = true }
        }
        return (state.segments.map(\.segmentID), built)
    }

    /// Sends a request that must fail with `not_found`.
    private func expectNotFound(_ what: String, _ body: () throws(LoradClientError) -> Void) throws(SoakFailure) {
        do {
            try body()
        } catch {
            setup.answered.value.add(1, ordering: .relaxed)
            guard error.code == .notFound else { throw SoakFailure("\(what): expected not_found, got \(error)") }
            return
        }
        setup.answered.value.add(1, ordering: .relaxed)
        throw SoakFailure("\(what): expected not_found, the request succeeded")
    }

    /// A timed reply.
    private struct Timed<Value> {
        var value: Value
        var microseconds: Double
    }

    /// Runs one request and times it. Returns nil when lorad refused it with one of
    /// `refusals` or `too_many_requests` (documented refusals: counted, not failures).
    /// - Throws: ``SoakFailure`` for any other error, connection failures included.
    private func send<Value>(
        _ what: String, refusals: Set<ErrorCode>, _ body: () throws(LoradClientError) -> Value
    ) throws(SoakFailure) -> Timed<Value>? {
        let started = clock.now
        do {
            let value = try body()
            setup.answered.value.add(1, ordering: .relaxed)
            return Timed(value: value, microseconds: (clock.now - started).inSeconds * 1e6)
        } catch {
            if error.isRequestError { setup.answered.value.add(1, ordering: .relaxed) }
            try refusal(error, allowed: refusals, what: what)
            return nil
        }
    }

    /// Counts `error` when it is a documented refusal (`allowed` or `too_many_requests`).
    /// - Throws: ``SoakFailure`` otherwise.
    private func refusal(_ error: LoradClientError, allowed: Set<ErrorCode>, what: String) throws(SoakFailure) {
        guard case .server(let payload, _) = error, let code = payload.code,
              allowed.contains(code) || code == .tooManyRequests
        else {
            throw SoakFailure("\(what): \(error)")
        }
        tally.refusals[payload.name, default: 0] += 1
    }

    // MARK: - Connection and choices

    private func connected() throws(SoakFailure) -> LoradConnection {
        if let connection { return connection }
        let started = clock.now
        do {
            let made = try LoradConnection.connect(path: setup.socket, name: "lorad-soak/\(index)")
            tally.record("connect", microseconds: (clock.now - started).inSeconds * 1e6)
            connection = made
            return made
        } catch {
            throw SoakFailure("connect: \(error)")
        }
    }

    /// Closes the connection at once (lorad closes the sessions) and forgets them.
    private func drop() {
        connection?.close()
        connection = nil
        sessions = []
    }

    private func randomSessionIndex() -> Int? {
        sessions.isEmpty ? nil : generator.below(sessions.count)
    }

    private func randomPoolSet() -> SoakSet {
        let pool = setup.references.pool
        return pool[generator.below(pool.count)]
    }
}

