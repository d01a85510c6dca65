import ArgumentParser
import LoradClient
import LoradWire

/// `loractl session --base NAME --adapter NAME[:W]... --dump DIR`: opens a session, switches
/// to a set, and writes the segments it gets as files.
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Open a session, switch to a set of adapters and dump the segments lorad hands out.",
        discussion: """
            Writes DIR/base.safetensors, then DIR/overlay.safetensors (fused mode) or \
            DIR/factors-NAME.safetensors per adapter (factors mode), and DIR/session.json with \
            the base, mode, generation and, per adapter, its version, weight and per-module \
            scales. DIR is created if missing; those files are replaced. Each --adapter is \
            NAME[@VERSION][:WEIGHT], split like merge's (weight 1 by default).
            """
    )

    @OptionGroup var online: OnlineOptions

    @Option(help: "The configured base to open the session on.")
    var base: String

    @Option(help: "How adapters are delivered: fused (one overlay) or factors (one segment per adapter).")
    var mode: SessionModeArgument = .fused

    @Option(name: .customLong("adapter"), help: "An adapter NAME[@VERSION][:WEIGHT] (repeatable; none = base only).")
    var adapters: [String] = []

    @Option(help: "The folder to write the segments and session.json into.")
    var dump: String

    func validate() throws {
        do {
            _ = try AdapterSpec.storeAdapters(adapters)
        } catch let error as CommandError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        try runReportingErrors {
            let set = try AdapterSpec.storeAdapters(adapters)
            let connection = try online.connect()
            defer { connection.close() }
            let opened = try connection.openSession(base: base, mode: mode.wire)
            var mapped = try SessionSegments(mapping: opened)
            if !set.isEmpty {
                let switched = try connection.switchAdapters(session: opened.sessionID, to: set)
                mapped = try SessionSegments(mapping: switched, reusing: mapped)
            }
            let scales = try Self.scales(of: mapped, connection: connection)
            let json = try SessionDump(segments: mapped, scales: scales).write(to: dump)
            try connection.closeSession(opened.sessionID)
            if online.json {
                print(json)
                return
            }
            let names = SessionDump(segments: mapped, scales: scales).fileNames
            print("session \(mapped.sessionID) on \(mapped.base) (\(mapped.mode), generation \(mapped.generation)): wrote \(names.joined(separator: ", ")) and session.json to \(dump)")
        }
    }

    /// The per-module scales of each active adapter: read from the factor segments in
    /// factors mode; in fused mode (whose overlay carries none) from a second, short
    /// factors session on the same resolved set. nil entries where they cannot be had.
    static func scales(of segments: SessionSegments, connection: LoradConnection) throws -> [[(module: String, scale: Double)]?] {
        let files = try segments.safetensorsFiles()
        if segments.mode == .factors {
            return segments.active.indices.map { index in
                guard let position = segments.segments.firstIndex(where: { $0.kind == .factors && $0.adapterIndex == index }) else {
                    return nil
                }
                return FactorScales.read(from: files[position].metadata)
            }
        }
        guard !segments.active.isEmpty else { return [] }
        let resolved = segments.active.map {
            LoradWire.WeightedAdapter(adapter: AdapterRef(name: $0.name, version: $0.version), weight: $0.weight)
        }
        do {
            let helper = try connection.openSession(base: segments.base, mode: .factors)
            defer { _ = try? connection.closeSession(helper.sessionID) }
            helper.closeDescriptors()
            let factors = try SessionSegments(mapping: connection.switchAdapters(session: helper.sessionID, to: resolved))
            return try scales(of: factors, connection: connection)
        } catch let error as LoradClientError where error.isRequestError {
            printError("loractl: warning: per-module scales unavailable (\(error)); session.json lists them as null")
            return Array(repeating: nil, count: segments.active.count)
        }
    }
}

/// `--mode` values.
enum SessionModeArgument: String, ExpressibleByArgument, CaseIterable {
    case factors
    case fused

    /// The wire value.
    var wire: SessionMode {
        switch self {
        case .factors: .factors
        case .fused: .fused
        }
    }
}
