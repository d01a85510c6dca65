import LoradSystem

extension DaemonCore {
    /// Writes all of `bytes` to a client's descriptor.
    /// - Throws: ``OutputError`` (not writable, reader gone, file system full).
    static func write(_ bytes: UnsafeRawBufferPointer, to fd: FileDescriptor) throws(OutputError) {
        do {
            try fd.write(bytes)
        } catch {
            throw OutputError(writing: error)
        }
    }
}
