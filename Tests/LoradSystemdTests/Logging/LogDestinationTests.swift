import Glibc
import Logging
import LoradSystem
import Testing
@testable import LoradSystemd

@Suite struct LogDestinationTests {
    @Test func parsesJournalStream() {
        #expect(JournalStream(environmentValue: "8:12345") == JournalStream(device: 8, inode: 12345))
        #expect(JournalStream(environmentValue: "0:0") == JournalStream(device: 0, inode: 0))
        for bad in [nil, "", ":", "8:", ":9", "8:9:10", "a:1", "-1:2", "+1:2", " 1:2", "1:2 ", "99999999999999999999:1"] {
            #expect(JournalStream(environmentValue: bad) == nil, "\(String(describing: bad))")
        }
    }

    @Test func journalOnlyWhenStandardErrorIsTheStream() {
        #expect(LogDestination.choose(journalStream: "8:12345", standardError: (8, 12345)) == .journal)
        #expect(LogDestination.choose(journalStream: "8:12345", standardError: (8, 12346)) == .standardError)
        #expect(LogDestination.choose(journalStream: "8:12345", standardError: (9, 12345)) == .standardError)
        #expect(LogDestination.choose(journalStream: "8:12345", standardError: nil) == .standardError)
        #expect(LogDestination.choose(journalStream: nil, standardError: (8, 12345)) == .standardError)
        #expect(LogDestination.choose(journalStream: "garbage", standardError: (8, 12345)) == .standardError)
    }

    @Test func theTestProcessIsNotUnderJournald() throws {
        // Matching against our own stderr: only .journal if JOURNAL_STREAM names it.
        let status = try FileDescriptor(rawValue: STDERR_FILENO).status()
        let variable = getenv("JOURNAL_STREAM").map { String(cString: $0) }
        let expected: LogDestination = variable == "\(status.device):\(status.inode)" ? .journal : .standardError
        #expect(LoradLogging.currentDestination() == expected)
    }

    @Test(.enabled(if: FileStatus.exists("/run/systemd/journal/socket")))
    func sendsALiveRecordToJournald() {
        let status = JournaldLogHandler.send(
            JournalEntry.fields(level: .debug, message: "lorad test record", metadata: ["test": "1"],
                                source: "LoradDaemonTests", file: #fileID, function: #function, line: #line))
        #expect(status == 0)
    }

    @Test func handlerKeepsMetadataAsAValue() {
        var handler = JournaldLogHandler(label: "lorad")
        handler[metadataKey: "session"] = "1"
        var copy = handler
        copy[metadataKey: "session"] = "2"
        #expect(handler[metadataKey: "session"] == "1")
        #expect(copy.metadata["session"] == "2")
    }
}
