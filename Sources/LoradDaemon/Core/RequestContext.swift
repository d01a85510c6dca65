import LoradSystem
import LoradWire

/// What a worker request knows about itself.
struct RequestContext: Sendable {
    let requestID: UInt32
    let peer: PeerContext
    /// The descriptors that came with the request (closed by the core after the job).
    let fds: [FileDescriptor]
    let token: RequestToken

    /// The descriptor a payload field names.
    /// - Throws: `invalid_argument` when the index is outside the frame's descriptors.
    func descriptor(_ index: Int32, field: String) throws(WireError) -> FileDescriptor {
        guard index >= 0, Int(index) < fds.count else {
            throw WireError(.invalidArgument, "\(field) names descriptor \(index) but the request carried \(fds.count)")
        }
        return fds[Int(index)]
    }
}
