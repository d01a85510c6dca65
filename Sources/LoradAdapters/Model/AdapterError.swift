import LoradTensors

/// Why an adapter could not be read, normalised or applied to a base. Every case
/// says what was wrong and, where there is one, what to do about it.
public enum AdapterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path does not exist.
    case notFound(path: String)
    /// A pickled checkpoint (`.bin`, `.pt`, ...): never unpickled.
    case pickled(path: String)
    /// The file or folder is not a LoRA adapter lorad recognises.
    case unrecognised(path: String, detail: String)
    /// The safetensors holds no LoRA factor pairs.
    case noLoraTensors(detail: String)
    /// A factor without its partner (A without B or the reverse).
    case missingPartner(key: String, expected: String)
    /// A key that is not part of a LoRA factor pair in this layout.
    case unexpectedKeys([String])
    /// Two entries update the same module.
    case duplicateModule(String)
    /// A and B do not form an `r x in` / `out x r` pair.
    case badFactorShapes(module: String, down: [Int], up: [Int])
    /// A non-finite or unusable alpha.
    case badAlpha(module: String, value: Double)
    /// A factor tensor holding NaN or an infinity: (the tensor's key, its shape, the first
    /// such element).
    case nonFiniteFactor(tensor: String, shape: [Int], element: NonFiniteElement)
    /// A feature lorad does not apply (DoRA, conv, bias, ...), never applied wrongly.
    case unsupported(feature: String, detail: String)
    /// `adapter_config.json` or `lora_adapter_metadata` is malformed.
    case badConfig(String)
    /// Modules that map to no tensor of the base.
    case unmappedModules([String], base: String)
    /// A module whose factors do not fit its base tensor.
    case shapeMismatch(tensor: String, base: [Int], down: [Int], up: [Int])
    /// A base tensor a module targets that lorad cannot update.
    case unsupportedBaseTensor(tensor: String, detail: String)
    /// A kohya name that matches several base modules.
    case ambiguousName(String, candidates: [String])

    public var description: String {
        switch self {
        case .notFound(let path):
            return "\(path): no such file or folder"
        case .pickled(let path):
            return "\(path): pickled checkpoints are refused because loading them can run arbitrary code; convert it to safetensors first (e.g. safetensors.torch.save_file(torch.load(path, weights_only=True), 'adapter.safetensors'))"
        case .unrecognised(let path, let detail):
            return "\(path): not a LoRA adapter lorad understands (\(detail)); expected a diffusers, PEFT or kohya safetensors file or folder"
        case .noLoraTensors(let detail):
            return "no LoRA factors found: \(detail)"
        case .missingPartner(let key, let expected):
            return "\(key) has no partner: expected \(expected) in the same file"
        case .unexpectedKeys(let keys):
            return "keys that are not LoRA factors: \(Self.list(keys))"
        case .duplicateModule(let module):
            return "module \(module) appears twice in the adapter"
        case .badFactorShapes(let module, let down, let up):
            return "module \(module): A \(down) and B \(up) are not a rank-r pair (A must be r x in, B out x r)"
        case .badAlpha(let module, let value):
            return "module \(module): alpha \(value) is not a finite number"
        case .nonFiniteFactor(let tensor, let shape, let element):
            return "\(tensor) holds \(element) at element \(element.index)\(Self.position(element.index, in: shape)); LoRA factors must be finite numbers (NaN or an infinity would reach every fused weight): save the adapter again from a checkpoint taken before training diverged"
        case .unsupported(let feature, let detail):
            return "unsupported: \(feature) (\(detail))"
        case .badConfig(let detail):
            return "bad adapter configuration: \(detail)"
        case .unmappedModules(let modules, let base):
            return "\(modules.count) adapter module(s) match no tensor of base \(base): \(Self.list(modules)); is the adapter for another model (a text encoder's keys, say)?"
        case .shapeMismatch(let tensor, let base, let down, let up):
            return "\(tensor): base weight is \(base) but the adapter has A \(down) and B \(up) (needs A r x \(base.count == 2 ? String(base[1]) : "in"), B \(base.first.map(String.init) ?? "out") x r); is the adapter for another model?"
        case .unsupportedBaseTensor(let tensor, let detail):
            return "\(tensor): \(detail)"
        case .ambiguousName(let name, let candidates):
            return "kohya module \(name) matches several base modules (\(candidates.joined(separator: ", "))); rename the key in the file"
        }
    }

    /// ` (row R, column C of [rows, columns])` for a 2-D shape, else "".
    private static func position(_ index: Int, in shape: [Int]) -> String {
        guard shape.count == 2, shape[1] > 0 else { return "" }
        return " (row \(index / shape[1]), column \(index % shape[1]) of \(shape))"
    }

    private static func list(_ items: [String]) -> String {
        let shown = items.prefix(8).joined(separator: ", ")
        return items.count > 8 ? "\(shown), ... (\(items.count) in all)" : shown
    }
}
