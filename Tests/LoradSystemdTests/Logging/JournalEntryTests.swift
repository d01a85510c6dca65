import Logging
import Testing
@testable import LoradSystemd

@Suite struct JournalEntryTests {
    @Test func buildsTheFieldsInOrder() {
        let fields = JournalEntry.fields(
            level: .notice, message: "listening on /run/lorad/lorad.sock",
            metadata: ["session": "7", "peer-uid": "1000"],
            source: "LoradDaemon", file: "LoradDaemon/DaemonRunner.swift", function: "run(config:logger:)", line: 47)
        #expect(fields == [
            "MESSAGE=listening on /run/lorad/lorad.sock",
            "PRIORITY=5",
            "SYSLOG_IDENTIFIER=lorad",
            "CODE_FILE=LoradDaemon/DaemonRunner.swift",
            "CODE_LINE=47",
            "CODE_FUNC=run(config:logger:)",
            "LORAD_SOURCE=LoradDaemon",
            "LORAD_PEER_UID=1000",
            "LORAD_SESSION=7",
        ])
    }

    @Test func keepsNewlinesAndRendersStructuredValues() {
        let fields = JournalEntry.fields(
            level: .error, message: "two\nlines", metadata: ["list": ["a", "b"]],
            source: "S", file: "f", function: "g", line: 1, error: "boom")
        #expect(fields.first == "MESSAGE=two\nlines")
        #expect(fields.contains("LORAD_ERROR=boom"))
        #expect(fields.last == "LORAD_LIST=\(Logger.MetadataValue.array(["a", "b"]))")
    }

    @Test func everyFieldNameIsValid() {
        let fields = JournalEntry.fields(
            level: .trace, message: "m", metadata: ["x-y": "1", "": "2", "é": "3"],
            source: "S", file: "f", function: "g", line: 1)
        for field in fields {
            let name = String(field.prefix { $0 != "=" })
            #expect(JournalFieldName.isValid(name), "\(name)")
        }
    }

    @Test func syslogPriorities() {
        let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
        #expect(levels.map(\.syslogPriority) == [7, 7, 6, 5, 4, 3, 2])
    }
}
