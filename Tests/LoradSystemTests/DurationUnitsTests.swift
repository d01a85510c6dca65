import LoradSystem
import Testing

@Suite struct DurationUnitsTests {
    @Test func wholeUnitsRoundDownClampAndSaturate() {
        #expect(Duration.milliseconds(1500).whole(.milliseconds) == 1500)
        #expect(Duration.nanoseconds(1999).whole(.microseconds) == 1)
        #expect(Duration.seconds(2).whole(.nanoseconds) == 2_000_000_000)
        #expect(Duration.seconds(-3).whole(.milliseconds) == 0)
        #expect(Duration.milliseconds(-1).whole(.nanoseconds) == 0)
        #expect(Duration.seconds(Int64.max).whole(.milliseconds) == .max)
    }

    @Test func secondsAsDouble() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.zero.inSeconds == 0)
    }
}
