/// Where lorad's log records go: journald's native protocol, or plain lines on
/// standard error.
public enum LogDestination: Sendable, Hashable {
    /// Structured records through ``JournaldLogHandler``.
    case journal
    /// swift-log's `StreamLogHandler` lines on standard error (a terminal, a
    /// file, a pipe).
    case standardError

    /// Chooses the destination: ``journal`` when `$JOURNAL_STREAM` (the
    /// `journalStream` value) names the file that standard error is (its
    /// `st_dev`/`st_ino`, nil when `fstat` failed), else ``standardError``.
    /// Pure: the caller supplies the environment and the file status.
    public static func choose(journalStream: String?, standardError status: (device: UInt64, inode: UInt64)?) -> LogDestination {
        guard let stream = JournalStream(environmentValue: journalStream), let status,
              stream.matches(device: status.device, inode: status.inode)
        else { return .standardError }
        return .journal
    }
}
