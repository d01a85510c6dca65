/// The connections the server has admitted, counted in all and per uid, and the decision
/// for the next peer (pure; the loop thread owns one and tells it about every admitted
/// connection that closes).
struct ConnectionAdmission: Sendable {
    /// Connections admitted and still open.
    private(set) var open = 0
    /// Of those, how many each uid has (uids with none are absent).
    private var openByUID: [UInt32: Int] = [:]

    /// Connections `uid` has admitted and open.
    func count(uid: UInt32) -> Int { openByUID[uid] ?? 0 }

    /// Admits a peer under `limits` and counts it, or returns why it may not stay (then
    /// nothing is counted).
    mutating func admit(uid: UInt32, privileged: Bool, limits: AdmissionLimits) -> AdmissionRefusal? {
        if let refusal = limits.refusal(uid: uid, privileged: privileged, open: open, openByUID: count(uid: uid)) {
            return refusal
        }
        open += 1
        openByUID[uid, default: 0] += 1
        return nil
    }

    /// Forgets one admitted connection of `uid` that closed.
    mutating func release(uid: UInt32) {
        guard let held = openByUID[uid] else {
            assertionFailure("released a connection of uid \(uid) that was never admitted")
            return
        }
        open -= 1
        openByUID[uid] = held > 1 ? held - 1 : nil
    }
}
