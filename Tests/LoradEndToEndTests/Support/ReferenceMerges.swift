import Foundation
import LoradAdapters
import LoradSystem
import LoradTensors
import LoradWire

/// An active set as the tests write it: adapter names (as imported) with weights.
struct AdapterSet: Hashable, Sendable, CustomStringConvertible {
    /// The adapters in set order.
    var entries: [Entry]

    /// One adapter of a set.
    struct Entry: Hashable, Sendable {
        var name: String
        var weight: Double
    }

    init(_ entries: [(String, Double)]) {
        self.entries = entries.map { Entry(name: $0.0, weight: $0.1) }
    }

    /// The set as SWITCH sends it (latest versions).
    var wire: [LoradWire.WeightedAdapter] {
        entries.map { LoradWire.WeightedAdapter(adapter: AdapterRef(name: $0.name), weight: $0.weight) }
    }

    /// The active set a session reply must report: version 1 of each adapter, weights as sent.
    var expectedActive: [ActiveAdapter] {
        entries.map { ActiveAdapter(name: $0.name, version: 1, weight: $0.weight) }
    }

    var description: String {
        "[" + entries.map { "\($0.name) \($0.weight)" }.joined(separator: ", ") + "]"
    }
}

/// What lorad must serve, computed offline from the fixture files with LoradAdapters'
/// own merge (`ModelMerger.merge`), which `loractl merge` uses too.
struct ReferenceMerges: Sendable {
    /// The imported name of each fixture adapter and its folder.
    static let adapterFolders = ["plain": "diffusers_plain", "meta": "diffusers_meta"]

    /// The base file's tensors.
    let base: TensorFile
    /// Each adapter's fixture weights file (the A/B factors as the user gave them).
    let adapterFiles: [String: TensorFile]
    /// Each adapter's target tensors in the base (module path + `.weight`).
    let targets: [String: Set<String>]
    /// The whole merged model for each set asked for.
    let merged: [AdapterSet: TensorFile]

    /// Loads the fixtures and merges each of `sets` into a file in `folder`.
    init(sets: [AdapterSet], folder: TemporaryFolder) throws {
        let model = try SafetensorsModel.open(path: TestPaths.base)
        let description = model.description(named: DaemonProcess.baseName)
        var adapters: [String: LoraAdapter] = [:]
        var adapterFiles: [String: TensorFile] = [:]
        var targets: [String: Set<String>] = [:]
        for (name, folderName) in Self.adapterFolders {
            let path = TestPaths.adapterFile(folderName)
            let adapter = try AdapterParser.parse(AdapterSource.open(path: path)).resolved(against: description)
            adapters[name] = adapter
            adapterFiles[name] = try TensorFile(path: path)
            targets[name] = Set(adapter.targetTensors)
        }
        var merged: [AdapterSet: TensorFile] = [:]
        for set in Set(sets) {
            let weighted = try set.entries.map { entry in
                guard let adapter = adapters[entry.name] else { throw EndToEndFailure("no fixture adapter \(entry.name)") }
                return LoradAdapters.WeightedAdapter(adapter: adapter, weight: entry.weight)
            }
            let output = folder.file("merged-\(UUID().uuidString).safetensors")
            try ModelMerger.merge(base: model, baseName: DaemonProcess.baseName, adapters: weighted, to: output)
            merged[set] = try TensorFile(path: output)
            try DurableFile.removeFile(output)
        }
        base = try TensorFile(path: TestPaths.base)
        self.adapterFiles = adapterFiles
        self.targets = targets
        self.merged = merged
    }

    /// The base tensors an active set changes: the union of its adapters' targets.
    func touched(by set: AdapterSet) -> Set<String> {
        set.entries.reduce(into: Set<String>()) { $0.formUnion(targets[$1.name] ?? []) }
    }

    /// Problems with an overlay served for `set` (empty when it is right): it must hold
    /// exactly the touched tensors, each bit for bit equal to the offline merge, and every
    /// tensor it leaves out must be unchanged by the merge (base + overlay = merged model).
    func overlayProblems(_ overlay: TensorFile, for set: AdapterSet) -> [String] {
        guard let expected = merged[set] else { return ["no reference merge for \(set)"] }
        var problems: [String] = []
        let touched = touched(by: set)
        if Set(overlay.tensors.keys) != touched {
            problems.append("overlay of \(set) holds \(overlay.names), expected \(touched.sorted())")
        }
        for (name, tensor) in overlay.tensors where expected.tensors[name] != tensor {
            problems.append("overlay tensor \(name) of \(set) differs from the offline merge")
        }
        for (name, tensor) in expected.tensors where overlay.tensors[name] == nil && base.tensors[name] != tensor {
            problems.append("merge of \(set) changes \(name) but the overlay leaves it out")
        }
        return problems
    }

    /// Problems with a factors segment served for adapter `name` (empty when right): the
    /// same tensor names and bytes as the fixture file, and `lorad.scales` giving `scale`
    /// for every module.
    func factorsProblems(_ factors: TensorFile, adapter name: String, scale: Double) -> [String] {
        guard let expected = adapterFiles[name] else { return ["no fixture adapter \(name)"] }
        var problems: [String] = []
        if factors.tensors != expected.tensors {
            problems.append("factors of \(name) hold \(factors.names), not the fixture's \(expected.names) bytes")
        }
        guard let json = factors.metadata["lorad.scales"], let scales = Self.parseScales(json) else {
            return problems + ["factors of \(name) have no readable lorad.scales: \(factors.metadata)"]
        }
        if scales.count != (targets[name]?.count ?? -1) || scales.values.contains(where: { $0 != scale }) {
            problems.append("factors of \(name) have scales \(scales), expected \(scale) for each of \(targets[name]?.count ?? 0) modules")
        }
        return problems
    }

    /// Reads `{"module": number, ...}`.
    static func parseScales(_ json: String) -> [String: Double]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        var scales: [String: Double] = [:]
        for (key, member) in object {
            guard let number = member as? NSNumber else { return nil }
            scales[key] = number.doubleValue
        }
        return scales
    }
}
