import Testing

@testable import LoradDaemon

/// `limits.workers_per_uid` as the core's pool applies it (the mechanism is JobPool's, tested
/// in LoradSystemTests).
@Suite struct WorkerPoolCapTests {
    @Test func theOwnerCapIsThreadsMinusOneUnlessConfigured() {
        #expect(WorkerPool.ownerCap(configured: 0, threads: 8) == 7)
        #expect(WorkerPool.ownerCap(configured: 0, threads: 1) == 1)
        #expect(WorkerPool.ownerCap(configured: 3, threads: 8) == 3)
        #expect(WorkerPool.ownerCap(configured: 16, threads: 8) == 16)
    }
}
