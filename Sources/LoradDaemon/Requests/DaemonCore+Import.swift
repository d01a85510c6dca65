import LoradAdapters
import LoradStore
import LoradSystem
import LoradTensors
import LoradWire

extension DaemonCore {
    /// IMPORT (admin): reads the adapter from the descriptors passed (never from a path the
    /// client names), normalises it, checks it against the named base or every resident one
    /// (recording each compatible base), compresses it and stores it as a new version.
    /// A failed import leaves no trace.
    func importAdapter(_ request: ImportRequest, _ context: RequestContext) throws -> ImportReply {
        try DaemonCore.validateName(request.name, field: "adapter")
        for tag in request.tags { try DaemonCore.validateName(tag, field: "tag") }
        if let base = request.base { try DaemonCore.validateName(base, field: "base") }
        if let alpha = request.alpha, !(alpha.isFinite && alpha > 0) {
            throw ImportError.badAlpha(alpha)
        }
        let selection = try ImportSelection(names: request.files.map(\.fileName))
        let bases = try importBases(named: request.base)
        if !request.newVersion, try adapterExists(request.name) {
            throw ImportError.alreadyExists(name: request.name)
        }

        let weightsFile = request.files[selection.weights]
        let weights = try SafetensorsFile(
            storage: try readImportFile(context.descriptor(weightsFile.fd, field: "files[\(selection.weights)].fd"), name: weightsFile.fileName),
            name: weightsFile.fileName)
        var configJSON: [UInt8]?
        if let index = selection.config {
            let file = request.files[index]
            configJSON = try readConfigFile(context.descriptor(file.fd, field: "files[\(index)].fd"), name: file.fileName)
        }
        try context.token.check()
        var adapter = try AdapterParser.parse(AdapterSource(origin: weightsFile.fileName, weights: weights, configJSON: configJSON))
        if let alpha = request.alpha, adapter.alphaSource == .rank { adapter = adapter.withAlpha(alpha) }

        var compatible: [(base: ResidentBase, adapter: LoraAdapter)] = []
        var firstProblem: (any Error)?
        for base in bases {
            do {
                compatible.append((base, try adapter.resolved(against: base.shapes)))
            } catch {
                firstProblem = firstProblem ?? error
            }
        }
        guard let chosen = compatible.first else {
            throw ImportError.fitsNoBase(problem: firstProblem.map { "\($0)" } ?? "no base")
        }
        let stored = chosen.adapter
        let pack = try AdapterPack.encode(stored)
        let record = NewAdapterRecord(
            name: request.name, description: request.description, tags: request.tags,
            bases: compatible.map { CompatibleBase(fingerprint: $0.base.fingerprint, name: $0.base.name) },
            rank: stored.maxRank, alpha: stored.alphaSource == .rank ? nil : DaemonCore.commonAlpha(stored),
            layout: stored.layout.rawValue, prefix: stored.prefix, targets: stored.targetTensors, dtypes: stored.dtypes,
            originalBytes: stored.byteCount)
        try record.validate()
        guard context.token.claim() else { throw WireError.cancelled }
        let added = try store.add(record, packBytes: pack)
        return ImportReply(
            name: added.name, version: UInt32(clamping: added.version), sourceFormat: stored.layout.rawValue,
            rank: UInt32(clamping: stored.maxRank), alpha: added.alpha ?? Double(stored.maxRank),
            moduleCount: UInt32(clamping: stored.modules.count), rawBytes: UInt64(stored.byteCount),
            storedBytes: UInt64(added.packedBytes))
    }

    /// The bases an import is checked against: the named one, or every resident one.
    /// - Throws: `not_found` / `not_ready` for the named base; `not_ready` while any base
    ///   still loads; `incompatible` when no base is resident.
    private func importBases(named name: String?) throws -> [ResidentBase] {
        try state.withLock { state throws -> [ResidentBase] in
            if let name { return [try state.readyBase(name)] }
            if let loading = state.bases.first(where: { if case .loading = $0.status { true } else { false } }) {
                throw ImportError.baseLoading(name: loading.name)
            }
            let resident = state.residentBases
            guard !resident.isEmpty else {
                throw ImportError.noBaseLoaded
            }
            return resident
        }
    }

    /// True when the store has a version of `name`.
    private func adapterExists(_ name: String) throws -> Bool {
        do {
            _ = try store.resolve(AdapterReference(name: name))
            return true
        } catch let error as CatalogError {
            if case .notFound = error { return false }
            throw error
        }
    }

    /// The weights file's bytes: a zero-copy mapping when the descriptor is a memfd sealed
    /// against shrinking and writing (the client cannot pull the pages away), otherwise a
    /// private copy read with `pread`, so that a client truncating its file cannot crash the
    /// daemon with `SIGBUS`.
    /// - Throws: `invalid_argument` (not a regular file, too large, unreadable).
    private func readImportFile(_ fd: FileDescriptor, name: String) throws -> TensorStorage {
        let size = try importFileSize(fd, name: name, limit: options.maxImportFileBytes)
        if let seals = try? Memfd.seals(of: fd), seals.contains([.shrink, .write]) {
            return TensorStorage(region: try MappedRegion(fileDescriptor: fd, offset: 0, length: size))
        }
        do {
            return try TensorStorage(byteCount: size) { (buffer) throws(SystemError) in
                try fd.readExactly(fromAbsoluteOffset: 0, into: buffer)
            }
        } catch {
            throw ImportError.unreadable(file: name, error: error)
        }
    }

    /// The bytes of `adapter_config.json`.
    private func readConfigFile(_ fd: FileDescriptor, name: String) throws -> [UInt8] {
        let size = try importFileSize(fd, name: name, limit: options.maxConfigFileBytes)
        var bytes = [UInt8](repeating: 0, count: size)
        let outcome = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(SystemError) in try fd.readExactly(fromAbsoluteOffset: 0, into: buffer) }
        }
        if case .failure(let error) = outcome {
            throw ImportError.unreadable(file: name, error: error)
        }
        return bytes
    }

    /// The size of a regular file passed for import, checked against `limit`.
    private func importFileSize(_ fd: FileDescriptor, name: String, limit: Int) throws(ImportError) -> Int {
        let status: FileStatus
        do {
            status = try fd.status()
        } catch {
            throw .notInspectable(file: name, error: error)
        }
        guard status.isRegularFile else {
            throw .notRegularFile(file: name, kind: status.kindDescription)
        }
        guard status.size <= limit else {
            throw .tooLarge(file: name, size: status.size, limit: limit)
        }
        return status.size
    }

    /// The alpha most modules use (ties: the smaller), the one shown for an adapter.
    static func commonAlpha(_ adapter: LoraAdapter) -> Double {
        var counts: [Double: Int] = [:]
        for module in adapter.modules { counts[module.alpha, default: 0] += 1 }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? Double(adapter.maxRank)
    }
}
