import LoradSystem

/// An object that keeps one open descriptor for as long as it lives: what a reply passes to
/// the client (`SCM_RIGHTS`). A ``HandlerReply`` holds references to such objects, never bare
/// numbers and never duplicates; the server keeps them until the frame is written (or dropped)
/// and then lets them go, without closing anything itself.
///
/// Shared owners fit (the daemon's cached segments, which close their memfd when the last
/// reference goes), and so does an object made for one reply that closes its descriptor in
/// `deinit`.
public protocol PassedDescriptor: AnyObject, Sendable {
    /// The descriptor, open while this object lives. Borrowed: do not close it.
    var fd: FileDescriptor { get }
}
