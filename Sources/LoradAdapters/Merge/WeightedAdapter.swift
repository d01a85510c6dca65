/// An adapter with the weight it is applied with: its modules contribute
/// `weight * scale * B A`.
public struct WeightedAdapter: Sendable {
    /// The adapter, resolved against the base it is applied to.
    public var adapter: LoraAdapter
    /// The user's weight (any sign), multiplying the adapter's own scale.
    public var weight: Double

    /// Pairs an adapter with its weight.
    public init(adapter: LoraAdapter, weight: Double) {
        self.adapter = adapter
        self.weight = weight
    }
}
