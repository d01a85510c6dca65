import LoradSystem
import Synchronization
import Testing

@Suite struct ParallelTests {
    struct Odd: Error, Equatable { var index: Int }

    @Test func resultsComeInIndexOrderWithFailuresInPlace() {
        let results = Parallel.map(count: 200, missing: Odd(index: -1)) { (index: Int) throws(Odd) -> Int in
            guard index % 7 != 3 else { throw Odd(index: index) }
            return index * index
        }
        #expect(results.count == 200)
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let square): #expect(index % 7 != 3 && square == index * index)
            case .failure(let error): #expect(index % 7 == 3 && error == Odd(index: index))
            }
        }
    }

    @Test func noJobsAndOneJob() throws {
        #expect(Parallel.map(count: 0, missing: Odd(index: -1)) { (index: Int) throws(Odd) in index }.isEmpty)
        #expect(Parallel.map(count: -3, missing: Odd(index: -1)) { (index: Int) throws(Odd) in index }.isEmpty)
        let one = Parallel.map(count: 1, missing: Odd(index: -1)) { (index: Int) throws(Odd) in index + 41 }
        #expect(one.count == 1)
        #expect(try one[0].get() == 41)
    }

    @Test func eachWorkerMakesItsStateOnceAndReusesIt() throws {
        let made = Atomic<Int>(0)
        let results = Parallel.map(count: 500, missing: Odd(index: -1), makeState: { () throws(Odd) -> [Int] in
            made.add(1, ordering: .relaxed)
            return []
        }) { (seen: inout [Int], index: Int) throws(Odd) -> Int in
            seen.append(index)
            return seen.count
        }
        let states = made.load(ordering: .relaxed)
        // A state made once per job would make 500; each worker makes one.
        #expect(states >= 1 && states < 500)
        // Each job saw the jobs its worker ran before it: the runs per state add up to 500.
        let counts = try results.map { try $0.get() }
        #expect(counts.filter { $0 == 1 }.count == states)
        #expect(counts.reduce(0, +) >= 500)
    }

    @Test func aStateThatCannotBeMadeFailsOnlyTheJobThatNeededIt() throws {
        let attempts = Atomic<Int>(0)
        let results = Parallel.map(count: 50, missing: Odd(index: -1), makeState: { () throws(Odd) -> Int in
            guard attempts.add(1, ordering: .relaxed).newValue > 1 else { throw Odd(index: -2) }
            return 0
        }) { (_: inout Int, index: Int) throws(Odd) -> Int in index }
        #expect(results.count == 50)
        var failures = 0
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let value): #expect(value == index)
            case .failure(let error):
                #expect(error == Odd(index: -2))
                failures += 1
            }
        }
        #expect(failures == 1)
    }
}
