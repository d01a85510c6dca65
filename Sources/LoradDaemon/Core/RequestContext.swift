import LoradServer
import LoradSystem

/// What a worker request knows about itself.
struct RequestContext: Sendable {
    let requestID: UInt32
    let peer: PeerContext
    /// The descriptors that came with the request (closed by the core after the job).
    let fds: OwnedDescriptors
    let token: RequestToken

    /// The descriptor a payload field names.
    /// - Throws: ``RequestError/missingDescriptor(field:carried:)`` when the frame did not
    ///   carry it.
    ///
    /// Decoded messages carry the descriptor numbers the codec installed for the
    /// frame's fd indexes (`PayloadReader.fd`), so the field is looked up among the
    /// descriptors that came with this request.
    func descriptor(_ number: Int32, field: String) throws(RequestError) -> FileDescriptor {
        guard let fd = fds.descriptors.first(where: { $0.rawValue == number }) else {
            throw .missingDescriptor(field: field, carried: fds.count)
        }
        return fd
    }
}
