import Glibc
import LoradSystem
import Testing

@Suite(.serialized) struct OpenFilesLimitTests {
    @Test func currentMatchesTheKernelsView() throws {
        let limit = try OpenFilesLimit.current()
        var raw = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raw) == 0)
        #expect(limit.soft == UInt64(raw.rlim_cur))
        #expect(limit.hard == UInt64(raw.rlim_max))
        #expect(limit.soft <= limit.hard)
    }

    @Test func raisingNeverLowersAndStopsAtTheHardLimit() throws {
        let start = try OpenFilesLimit.current()
        defer {
            // Put the soft limit back (lowering it needs no privilege), for the other tests.
            var raw = rlimit(rlim_cur: rlim_t(start.soft), rlim_max: rlim_t(start.hard))
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raw)
        }
        // Asking for less than the soft limit changes nothing.
        let lower = try OpenFilesLimit.raiseSoft(to: 16)
        #expect(lower.before == start && lower.after == start)
        #expect(try OpenFilesLimit.current() == start)
        // One more (when the hard limit allows it) is set and seen by getrlimit.
        let oneMore = try OpenFilesLimit.raiseSoft(to: start.soft + 1)
        #expect(oneMore.after.soft == min(start.soft + 1, start.hard))
        #expect(try OpenFilesLimit.current() == oneMore.after)
        // Asking for more than the hard limit gets the hard limit, without an error.
        let beyond = try OpenFilesLimit.raiseSoft(to: .max)
        #expect(beyond.after.soft == beyond.after.hard)
        #expect(try OpenFilesLimit.current().soft == start.hard)
        #expect(beyond.after.hard == start.hard)
    }
}
