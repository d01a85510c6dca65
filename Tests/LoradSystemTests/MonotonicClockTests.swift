import Glibc
import LoradSystem
import Testing

@Suite struct MonotonicClockTests {
    @Test func advancesAcrossASleep() {
        let first = MonotonicClock.microseconds()
        usleep(2000)
        let second = MonotonicClock.microseconds()
        #expect(second >= first + 1000)
    }
}
