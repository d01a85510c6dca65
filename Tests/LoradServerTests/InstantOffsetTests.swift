import Testing

@testable import LoradServer

@Suite struct InstantOffsetTests {
    @Test func convertsExactlyBothWays() {
        let now = ContinuousClock.now
        for step in [Duration.zero, .nanoseconds(1), .seconds(-3), .milliseconds(1500), .seconds(86_400 * 365)] {
            let instant = now.advanced(by: step)
            #expect(InstantOffset.instant(at: InstantOffset.offset(of: instant)) == instant)
        }
        #expect(InstantOffset.offset(of: now.advanced(by: .seconds(2))) - InstantOffset.offset(of: now) == .seconds(2))
    }
}
