import LoradTensors

/// What an adapter needs to know of a base to be checked against it: the dtype
/// and shape of each tensor. A loaded safetensors model is one; so is a list of
/// shapes kept in a catalog.
public protocol BaseDescription: Sendable {
    /// A name for messages (a path or a configured base name).
    var displayName: String { get }
    /// Every tensor name.
    var tensorNames: [String] { get }
    /// The dtype and shape of a tensor, or nil when the base has none by that name.
    func tensorShape(_ name: String) -> (dtype: DType, shape: [Int])?
}

/// A base described by its shapes alone.
public struct BaseShapes: BaseDescription {
    public var displayName: String
    /// Name -> (dtype, shape).
    public var shapes: [String: (dtype: DType, shape: [Int])]

    /// Makes a description from a table of shapes.
    public init(displayName: String, shapes: [String: (dtype: DType, shape: [Int])]) {
        self.displayName = displayName
        self.shapes = shapes
    }

    public var tensorNames: [String] { shapes.keys.sorted() }
    public func tensorShape(_ name: String) -> (dtype: DType, shape: [Int])? { shapes[name] }
}
