import Testing

@testable import LoradNotation

@Suite struct DurationSyntaxTests {
    @Test(arguments: [
        ("5s", Duration.seconds(5)), ("5", .seconds(5)), ("0", .zero), ("250ms", .milliseconds(250)), ("2m", .seconds(120)),
        ("2min", .seconds(120)), ("1h", .seconds(3600)), ("1H", .seconds(3600)), ("1m30s", .seconds(90)), ("1h 2m 3s", .seconds(3723)),
        ("0.5s", .milliseconds(500)), ("1.25s", .milliseconds(1250)), ("30 sec", .seconds(30)), ("1_000ms", .seconds(1)),
        (" 5s ", .seconds(5)), ("1.5", .milliseconds(1500)),
    ])
    func parses(text: String, duration: Duration) throws {
        #expect(try DurationSyntax.parse(text) == duration)
    }

    @Test(arguments: [
        ("", "a duration cannot be empty; "),
        ("-5s", "duration \"-5s\" is negative; "),
        ("s", "\"s\" is not a duration; "),
        ("5 days", "\"5 days\" has an unknown unit \"days\"; "),
        ("5x", "\"5x\" has an unknown unit \"x\"; "),
        ("1m30", "\"1m30\" has a number without a unit; "),
        ("0.0001s", "duration \"0.0001s\" is too long or has more than 3 decimals"),
        ("99999999999h", "duration \"99999999999h\" is too long or has more than 3 decimals"),
        ("2562047h 2562047h", "duration \"2562047h 2562047h\" is too long"),
        ("5s!", "\"5s!\" is not a duration; "),
    ])
    func rejects(text: String, start: String) {
        do {
            let duration = try DurationSyntax.parse(text)
            Issue.record("\(text.debugDescription) parsed as \(duration)")
        } catch {
            #expect(error.reason.hasPrefix(start), "\(error.reason)")
        }
    }

    @Test func seconds() throws {
        #expect(try DurationSyntax.seconds(30) == .seconds(30))
        #expect(throws: ConfigValueError.self) { try DurationSyntax.seconds(-1) }
        #expect(throws: ConfigValueError.self) { try DurationSyntax.seconds(.max) }
    }

    @Test func formats() {
        #expect(DurationSyntax.format(.seconds(5)) == "5s")
        #expect(DurationSyntax.format(.milliseconds(250)) == "250ms")
        #expect(DurationSyntax.format(.seconds(120)) == "2m")
        #expect(DurationSyntax.format(.seconds(5400)) == "1h30m")
        #expect(DurationSyntax.format(.milliseconds(1500)) == "1500ms")
        #expect(DurationSyntax.format(.nanoseconds(5)) == "5ns")
        #expect(DurationSyntax.format(.zero) == "0ms")
    }
}
