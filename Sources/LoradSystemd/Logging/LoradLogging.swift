import Glibc
import Logging
import LoradSystem

/// Setting up swift-log for the lorad process.
public enum LoradLogging {
    /// The destination of the running process, from `$JOURNAL_STREAM` and
    /// `fstat(2)` on standard error.
    ///
    /// The corresponding C functions are `getenv` and `fstat`.
    public static func currentDestination() -> LogDestination {
        let variable = getenv("JOURNAL_STREAM").map { String(cString: $0) }
        let status = try? FileDescriptor(rawValue: STDERR_FILENO).status()
        return LogDestination.choose(journalStream: variable, standardError: status.map { ($0.device, $0.inode) })
    }

    /// Bootstraps swift-log once per process with the handler for
    /// ``currentDestination()`` and returns that destination. Later calls do
    /// nothing more and return the same answer (swift-log traps on a second
    /// bootstrap, so this is the only place lorad calls it).
    @discardableResult
    public static func bootstrap() -> LogDestination { once }

    private static let once: LogDestination = {
        let destination = currentDestination()
        switch destination {
        case .journal:
            LoggingSystem.bootstrap { label in JournaldLogHandler(label: label) }
        case .standardError:
            LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        }
        return destination
    }()
}
