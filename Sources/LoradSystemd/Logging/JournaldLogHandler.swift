import CSystemd
import Glibc
import Logging
import LoradSystem

/// A swift-log handler that sends each record to journald as structured fields
/// (see ``JournalEntry/fields(level:message:metadata:source:file:function:line:error:)``)
/// through `sd_journal_sendv`, the non-variadic libsystemd call.
///
/// Metadata is merged in this order, later keys winning: the handler's own
/// ``metadata``, the ``metadataProvider``'s, the call's. When `sd_journal_sendv`
/// fails (for example a record too large for the socket), the handler writes one
/// plain line to standard error instead. libsystemd itself drops records without
/// an error when no journal socket exists (`/run/systemd/journal/socket`), which
/// is why ``LoradLogging`` picks this handler only when stderr is the journal.
public struct JournaldLogHandler: LogHandler {
    /// Records below this level are dropped (checked by `Logger`).
    public var logLevel: Logger.Level = .info
    /// Metadata attached to every record this handler sends.
    public var metadata: Logger.Metadata = [:]
    /// Extra metadata computed per record (for example from task locals).
    public var metadataProvider: Logger.MetadataProvider?
    /// The logger's label (swift-log's), kept for the fallback line.
    public let label: String

    /// A handler for the logger named `label`.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    /// One metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Sends one record to journald.
    ///
    /// The corresponding C function is `sd_journal_sendv`; on failure, `write` to stderr.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        let fields = JournalEntry.fields(
            level: event.level, message: event.message.description, metadata: merged,
            source: event.source, file: event.file, function: event.function, line: event.line,
            error: event.error.map { String(describing: $0) })
        let status = Self.send(fields)
        if status < 0 {
            StandardError.writeLine("\(label): \(event.level) \(event.message) (journald refused the record: \(SystemError(errno: -status, operation: "sd_journal_sendv")))")
        }
    }

    /// Sends `fields` (each `NAME=value`) as one journal record and returns
    /// `sd_journal_sendv`'s result: 0, or a negative errno.
    ///
    /// The fields are packed into one byte buffer so every `iovec` points into
    /// memory that stays valid for the whole call.
    ///
    /// The corresponding C function is `sd_journal_sendv`.
    static func send(_ fields: [String]) -> Int32 {
        guard fields.count <= Int(Int32.max) else { return -EINVAL }
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(fields.count)
        for field in fields {
            let start = bytes.count
            bytes.append(contentsOf: field.utf8)
            ranges.append(start..<bytes.count)
        }
        return bytes.withUnsafeMutableBytes { buffer -> Int32 in
            let vectors = ranges.map { range in
                iovec(iov_base: buffer.baseAddress.map { $0 + range.lowerBound }, iov_len: range.count)
            }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}
