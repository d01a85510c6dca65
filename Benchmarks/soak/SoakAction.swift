import LoradTestSupport

/// One step of a soak client, drawn at random with the weights below. Steps that need
/// something the client lacks (a session, an imported adapter) do the step that makes it.
enum SoakAction: String, CaseIterable, Sendable {
    /// OPEN_SESSION (fused or factors); with two sessions open already, CLOSE_SESSION one.
    case open
    /// ATTACH an adapter of the pool (a new one, or a new weight for one in the set).
    case attach
    /// DETACH one adapter of the set.
    case detach
    /// SWITCH to a set of the pool (usually cached by then).
    case switchSet = "switch"
    /// EVICT (admin), then SWITCH: the overlay or factors are built again unless another
    /// session holds them.
    case switchCold = "switch-cold"
    /// GET_SEGMENTS: the same generation and segments as the last reply.
    case getSegments = "get-segments"
    /// CLOSE_SESSION, then GET_SEGMENTS on it must be `not_found`.
    case close
    /// IMPORT a pool adapter's files under a new name; SHOW_ADAPTER must match the pool's.
    case importAdapter = "import"
    /// REMOVE the oldest adapter this client imported; SHOW_ADAPTER must be `not_found`.
    case remove
    /// SWITCH (half the time after EVICT), CANCEL it at once, then read both answers.
    case cancel
    /// Send a SWITCH and close the socket without reading anything (sessions left open).
    case disconnect

    /// The relative frequency of the action.
    var weight: Int {
        switch self {
        case .open: 8
        case .attach: 12
        case .detach: 8
        case .switchSet: 22
        case .switchCold: 3
        case .getSegments: 18
        case .close: 5
        case .importAdapter: 1
        case .remove: 1
        case .cancel: 6
        case .disconnect: 2
        }
    }

    /// Draws an action with the weights above.
    static func draw(_ generator: inout SplitMix64) -> SoakAction {
        let total = allCases.reduce(0) { $0 + $1.weight }
        var pick = generator.below(total)
        for action in allCases {
            if pick < action.weight { return action }
            pick -= action.weight
        }
        return .getSegments
    }
}
