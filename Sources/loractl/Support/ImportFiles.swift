import LoradAdapters
import LoradSystem

/// The files `loractl import` opens and passes to lorad, chosen the way the daemon and
/// `AdapterSource.open(path:)` read a layout:
///
/// - a file: that file, plus `adapter_config.json` beside it when the file is PEFT's
///   `adapter_model.safetensors`;
/// - a folder: PEFT's `adapter_config.json` + `adapter_model.safetensors`, else diffusers'
///   `pytorch_lora_weights.safetensors`, else its only `.safetensors` file.
///
/// Pickled checkpoints (`.bin`, `.pt`...) are refused before anything is sent.
struct ImportFiles: Equatable {
    /// The paths to open, config first, each sent under its base name.
    var paths: [String]

    /// Chooses the files for a folder from its entry names (pure; ``AdapterFiles``).
    /// - Throws: `AdapterError.pickled` or `.unrecognised` when no safe choice exists.
    static func forFolder(_ folder: String, entries: [String]) throws -> ImportFiles {
        let names = entries.sorted()
        do throws(AdapterFiles.Problem) {
            let chosen = try AdapterFiles.choose(among: names)
            return ImportFiles(paths: ([chosen.config].compactMap { $0 } + [chosen.weights]).map { PathName.join(folder, names[$0]) })
        } catch {
            throw error.adapterError(folder: folder, verb: "import")
        }
    }

    /// Chooses the files for a single file path; `configBeside` says whether an
    /// `adapter_config.json` exists in the same folder (pure).
    static func forFile(_ path: String, configBeside: Bool) throws -> ImportFiles {
        let name = PathName.base(path)
        if AdapterFiles.isPickled(name) { throw AdapterError.pickled(path: path) }
        if name == "adapter_model.safetensors", configBeside {
            return ImportFiles(paths: [PathName.folder(path) + "/adapter_config.json", path])
        }
        return ImportFiles(paths: [path])
    }

    /// Looks at `path` on disk and chooses.
    /// - Throws: `AdapterError.notFound` when nothing is there, else as `forFolder`/`forFile`.
    static func choose(path: String) throws -> ImportFiles {
        guard let status = try? FileStatus(path: path) else { throw AdapterError.notFound(path: path) }
        if status.isDirectory { return try forFolder(path, entries: DurableFile.listDirectory(path)) }
        return try forFile(path, configBeside: FileStatus.isRegularFile(PathName.folder(path) + "/adapter_config.json"))
    }

    /// Opens every file read-only, runs `body` with (base name, descriptor) pairs, and
    /// closes them again whatever happens.
    ///
    /// Each file is opened without waiting (`O_NONBLOCK`, cleared once open) and must be a
    /// regular file by `fstat`: lorad reads the files with `pread`, and a FIFO would
    /// otherwise block `open` until something writes to it.
    /// - Throws: ``CommandError`` with exit 65 naming the path and its kind for anything
    ///   but a regular file; ``SystemError`` when a file cannot be opened.
    func withOpenFiles<T>(_ body: ([(name: String, descriptor: FileDescriptor)]) throws -> T) throws -> T {
        var opened: [(name: String, descriptor: FileDescriptor)] = []
        defer { for file in opened { try? file.descriptor.close() } }
        for path in paths {
            let (descriptor, status) = try FileDescriptor.openWithoutWaiting(path)
            opened.append((PathName.base(path), descriptor))
            guard status.isRegularFile else {
                throw CommandError(
                    status: .dataError,
                    message: "\(path) is \(status.kindDescription), not a regular file; lorad reads the adapter's files with pread, so save it to a file and import that")
            }
        }
        return try body(opened)
    }
}
