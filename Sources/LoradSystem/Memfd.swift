import CLinux
import Glibc

/// Sealable anonymous memory files (`memfd_create`), the segments lorad hands
/// to clients. Thin wrappers over the CLinux shim.
public enum Memfd {
    /// File seals (`F_SEAL_*`). Once ``seal`` is set no more can be added.
    public struct Seals: OptionSet, Sendable, Hashable {
        /// The raw `F_SEAL_*` bits.
        public var rawValue: Int32
        /// Makes seals from raw `F_SEAL_*` bits.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `F_SEAL_WRITE`: no more writes (refused while a writable mapping exists).
        public static let write = Seals(rawValue: clinux_seal_write)
        /// `F_SEAL_SHRINK`: the size cannot decrease.
        public static let shrink = Seals(rawValue: clinux_seal_shrink)
        /// `F_SEAL_GROW`: the size cannot increase.
        public static let grow = Seals(rawValue: clinux_seal_grow)
        /// `F_SEAL_SEAL`: the seal set itself is frozen.
        public static let seal = Seals(rawValue: clinux_seal_seal)
        /// All four: what a published, immutable segment carries.
        public static let immutable: Seals = [.write, .shrink, .grow, .seal]
    }

    /// Creates an empty memfd that allows sealing and is close-on-exec. `name`
    /// shows in `/proc/<pid>/fd` as `/memfd:<name>` (the kernel keeps 249 bytes).
    ///
    /// The corresponding C function is `memfd_create`.
    public static func create(name: String) throws(SystemError) -> FileDescriptor {
        let fd = try retryingInterrupts("memfd_create", path: name) { clinux_memfd_create_sealable(name) }
        return FileDescriptor(rawValue: fd)
    }

    /// Adds `seals` to a memfd.
    ///
    /// The corresponding C function is `fcntl` with `F_ADD_SEALS`.
    /// - Throws: ``SystemError`` (`EBUSY` for `.write` while a writable shared
    ///   mapping exists; `EPERM` once `.seal` is set).
    public static func addSeals(_ seals: Seals, to fd: FileDescriptor) throws(SystemError) {
        _ = try retryingInterrupts("fcntl(F_ADD_SEALS)") { clinux_add_seals(fd.rawValue, seals.rawValue) }
    }

    /// The seals a memfd carries (`EINVAL` for a file that is not a memfd).
    ///
    /// The corresponding C function is `fcntl` with `F_GET_SEALS`.
    public static func seals(of fd: FileDescriptor) throws(SystemError) -> Seals {
        Seals(rawValue: try retryingInterrupts("fcntl(F_GET_SEALS)") { clinux_get_seals(fd.rawValue) })
    }
}
