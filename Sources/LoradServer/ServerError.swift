import LoradSystem

/// Why the server could not start or had to stop.
public enum ServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ``ServerSettings`` are out of range; the text says which and how.
    case invalidSettings(String)
    /// The listening socket could not be created or adopted.
    case listen(SystemError)
    /// The event loop could not be set up (epoll, eventfd) or failed while running.
    case eventLoop(SystemError)
    /// ``Server/run()`` was called a second time.
    case alreadyRun

    /// One line for the user.
    public var description: String {
        switch self {
        case .invalidSettings(let text): "invalid server settings: \(text)"
        case .listen(let error): "cannot listen: \(error)"
        case .eventLoop(let error): "event loop failed: \(error)"
        case .alreadyRun: "the server already ran; create a new Server to serve again"
        }
    }
}
