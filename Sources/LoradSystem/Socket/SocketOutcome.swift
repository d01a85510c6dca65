/// The result of a socket operation on a possibly non-blocking socket: either
/// it completed with a value, or the kernel said `EAGAIN` and nothing happened.
///
/// `EAGAIN` is not an error for an event loop: it means "wait for readiness
/// (see ``Epoll``) and try again", so it is a case here rather than a thrown
/// ``SystemError``. On a blocking socket ``wouldBlock`` never occurs.
public enum SocketOutcome<Value: Sendable>: Sendable {
    /// The operation completed and produced `Value`.
    case completed(Value)
    /// The socket is non-blocking and the operation could not make progress
    /// (`EAGAIN`/`EWOULDBLOCK`); nothing was transferred.
    case wouldBlock

    /// The value when the operation completed, nil for ``wouldBlock``.
    public var value: Value? {
        switch self {
        case .completed(let value): value
        case .wouldBlock: nil
        }
    }
}

extension SocketOutcome: Equatable where Value: Equatable {}
extension SocketOutcome: Hashable where Value: Hashable {}
