/// A value and where it came from.
struct Sourced<Value: Sendable>: Sendable {
    var value: Value
    var origin: ConfigOrigin
}
