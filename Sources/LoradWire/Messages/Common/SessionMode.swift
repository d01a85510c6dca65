/// How a session receives its adapters (u8 on the wire).
public enum SessionMode: UInt8, CaseIterable, Sendable {
    /// One `factors` segment per active adapter; the client applies them itself.
    case factors = 0
    /// One `overlay` segment of fused weights for the whole active set.
    case fused = 1
}
