import LoradSystem

extension HandlerReply {
    /// Releases a reply that will not be sent (its connection is gone, or it came twice):
    /// closes the descriptors made for it; `keepAlive` goes with the value.
    func release() {
        for fd in ownedFDs { try? fd.close() }
    }
}
