import Testing
@testable import loractl

@Suite struct UTCTimestampTests {
    @Test(arguments: [
        (UInt64(0), "1970-01-01 00:00:00 UTC"),
        (951_782_400, "2000-02-29 00:00:00 UTC"),    // A leap day of a 400-year leap year.
        (951_868_800, "2000-03-01 00:00:00 UTC"),
        (4_107_542_399, "2100-02-28 23:59:59 UTC"),  // 2100 is not a leap year:
        (4_107_542_400, "2100-03-01 00:00:00 UTC"),  // the next day is March 1st.
        (1_796_326_445, "2026-12-03 19:34:05 UTC"),
        (253_402_300_799, "9999-12-31 23:59:59 UTC"),
    ])
    func formatsKnownInstants(_ seconds: UInt64, _ expected: String) {
        #expect(UTCTimestamp.format(unixSeconds: seconds) == expected)
    }

    @Test func consecutiveDaysNeverSkipOrRepeatADate() {
        // 1970 to beyond 2400: each day follows the previous one in the calendar.
        var previous = UTCTimestamp.civilDate(daysSinceEpoch: 0)
        for days in Int64(1)...Int64(160_000) {
            let date = UTCTimestamp.civilDate(daysSinceEpoch: days)
            let leap = previous.year % 4 == 0 && (previous.year % 100 != 0 || previous.year % 400 == 0)
            let monthLength = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][previous.month - 1]
            if previous.day < monthLength {
                #expect(date == (previous.year, previous.month, previous.day + 1))
            } else if previous.month < 12 {
                #expect(date == (previous.year, previous.month + 1, 1))
            } else {
                #expect(date == (previous.year + 1, 1, 1))
            }
            if date != previous { previous = date } else { break }
        }
    }

    @Test func theLargestTimeDoesNotTrap() {
        #expect(UTCTimestamp.format(unixSeconds: .max).hasSuffix(" UTC"))
    }
}
