import LoradSystem
import LoradWire
import Synchronization

/// One descriptor that arrived with a frame (`SCM_RIGHTS`), owned from the `recvmsg` that
/// brought it until it is closed or handed on: the server wraps every received descriptor in
/// one at once, and the frame decoder's queue, the frame and the ``ConnectionAction`` that
/// dispatches or closes it carry the object, never the bare number. Exactly one of them holds
/// it at a time.
///
/// A final class (an array of ``OwnedFileDescriptor`` cannot be made, and the state machine
/// is `Sendable`): the descriptor sits in a `Mutex<OwnedFileDescriptor?>`. ``take()`` moves it
/// to a new owner (the request's ``OwnedDescriptors``); ``close()`` closes it; when the last
/// reference goes without either, `deinit` closes it.
public final class ReceivedDescriptor: FrameDescriptor {
    /// The descriptor's number, for the `fd` fields of the decoded message (kept after
    /// ``take()`` and ``close()``, when it no longer names this descriptor).
    public let descriptorNumber: Int32
    private let slot: Mutex<OwnedFileDescriptor?>

    /// Takes ownership of `descriptor`, just received.
    public init(_ descriptor: consuming OwnedFileDescriptor) {
        descriptorNumber = descriptor.descriptor.rawValue
        slot = Mutex(descriptor)
    }

    /// Takes ownership of `descriptor` (a number `recvmsg` just returned).
    public convenience init(receiving descriptor: FileDescriptor) {
        self.init(OwnedFileDescriptor(descriptor))
    }

    /// Whether the descriptor is still here (neither taken nor closed).
    public var isHeld: Bool { slot.withLock { $0 != nil } }

    /// Hands the descriptor to the caller, who owns it from now on; `nil` when it was taken
    /// or closed before.
    public func take() -> OwnedFileDescriptor? {
        slot.withLock { $0.take() }
    }

    /// Closes the descriptor unless it was taken or closed before. A failing `close(2)` frees
    /// the number all the same, so nothing is reported.
    public func close() {
        _ = take()  // dropping the OwnedFileDescriptor closes it
    }
}

extension OwnedDescriptors {
    /// Takes the descriptors out of `received` (those still held), in order: the request's
    /// descriptors as its handler gets them.
    public convenience init(taking received: [ReceivedDescriptor]) {
        var descriptors: [FileDescriptor] = []
        descriptors.reserveCapacity(received.count)
        for box in received {
            guard let owned = box.take() else { continue }
            descriptors.append(owned.release())
        }
        self.init(descriptors)
    }
}

extension Array where Element == ReceivedDescriptor {
    /// Closes every descriptor still held.
    func closeAll() {
        for descriptor in self { descriptor.close() }
    }
}
