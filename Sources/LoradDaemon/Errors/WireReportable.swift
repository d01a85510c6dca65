import LoradWire

/// An error that says how it is reported on the wire: the ERROR reply's stable code and its
/// one-line message (what was wrong and what to do).
///
/// Every error a request handler can throw conforms: the daemon's own (``BaseError``,
/// ``ImportError``, ``OutputError``, ``StoredAdapterError``, ``RequestError``,
/// ``DaemonBug``, ``SessionError``, ``SegmentBudgetError``), and, in this folder, the errors
/// of the modules the core calls (store, adapters, tensors, system). A new error type gets
/// its code where it is declared or in one extension here, never in a cast cascade.
public protocol WireReportable: Error {
    /// The protocol error code of the ERROR reply.
    var wireCode: ErrorCode { get }
    /// The ERROR reply's message (cut to the protocol's bound when the reply is built); by
    /// default the error's description.
    var wireMessage: String { get }
}

extension WireReportable where Self: CustomStringConvertible {
    /// The error's description (one line: what was wrong and what to do), unless the type
    /// says otherwise.
    public var wireMessage: String { description }
}

extension WireError: WireReportable {
    /// The code it carries.
    public var wireCode: ErrorCode { code }
    /// The message it carries.
    public var wireMessage: String { message }
}

extension WireError {
    /// The protocol error reporting `error`: its own code and message when it is
    /// ``WireReportable``. An error of a type that is not (one thrown by the standard library
    /// or a system framework) is reported as `internal` with its description.
    init(reporting error: any Error) {
        guard let reportable = error as? any WireReportable else {
            self.init(.internal, "unexpected failure: \(error)")
            return
        }
        self.init(reportable.wireCode, reportable.wireMessage)
    }
}
