import Logging

/// One log record as the list of `FIELD=value` strings lorad sends to journald.
///
/// Pure: building the fields touches no file or socket, so it is tested without
/// a journal. ``JournaldLogHandler`` turns the fields into `iovec`s.
public enum JournalEntry {
    /// The `SYSLOG_IDENTIFIER` every record carries.
    public static let syslogIdentifier = "lorad"

    /// The fields for one record, in this order: `MESSAGE`, `PRIORITY` (the syslog
    /// number of `level`), `SYSLOG_IDENTIFIER=lorad`, `CODE_FILE`, `CODE_LINE`,
    /// `CODE_FUNC`, `LORAD_SOURCE` (the swift-log source module), then one field
    /// `LORAD_ERROR` when the event carries an error, then one field
    /// per metadata key sorted by key, named by ``JournalFieldName/forMetadataKey(_:)``.
    /// Values are kept as they are, newlines included (journald's binary field
    /// encoding carries them).
    public static func fields(
        level: Logger.Level, message: String, metadata: Logger.Metadata,
        source: String, file: String, function: String, line: UInt, error: String? = nil
    ) -> [String] {
        var fields = [
            "MESSAGE=\(message)",
            "PRIORITY=\(level.syslogPriority)",
            "SYSLOG_IDENTIFIER=\(syslogIdentifier)",
            "CODE_FILE=\(file)",
            "CODE_LINE=\(line)",
            "CODE_FUNC=\(function)",
            "LORAD_SOURCE=\(source)",
        ]
        if let error { fields.append("LORAD_ERROR=\(error)") }
        fields.reserveCapacity(fields.count + metadata.count)
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            fields.append("\(JournalFieldName.forMetadataKey(key))=\(value)")
        }
        return fields
    }
}
