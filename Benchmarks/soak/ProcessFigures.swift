import Foundation

/// What the kernel says of a process, from `/proc/<pid>/status` and `/proc/<pid>/fd`.
struct ProcessFigures: Sendable, Equatable {
    /// Resident memory (`VmRSS`), in KiB: anonymous + file + shared memory.
    var residentKiB: Int
    /// Anonymous resident memory (`RssAnon`), in KiB: the heap, stacks.
    var anonymousKiB: Int
    /// Resident shared memory (`RssShmem`), in KiB: the memfd segments the process maps.
    var sharedKiB: Int
    /// Threads (`Threads`).
    var threads: Int
    /// Open descriptors (entries of `/proc/<pid>/fd`).
    var descriptors: Int
    /// CPU time used so far, user and system, in milliseconds (`/proc/<pid>/stat`).
    var cpuMilliseconds: Int

    /// Reads the figures of process `pid` ("self" for this one).
    /// - Throws: ``SoakFailure`` when the process is gone or `/proc` is unreadable.
    static func read(pid: String) throws(SoakFailure) -> ProcessFigures {
        let path = "/proc/\(pid)/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SoakFailure("cannot read \(path): is process \(pid) still running?")
        }
        var fields: [String: Int] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let number = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
            fields[String(parts[0])] = number
        }
        guard let resident = fields["VmRSS"], let threads = fields["Threads"] else {
            throw SoakFailure("\(path) has no VmRSS or Threads line")
        }
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count else {
            throw SoakFailure("cannot list /proc/\(pid)/fd")
        }
        return ProcessFigures(
            residentKiB: resident, anonymousKiB: fields["RssAnon"] ?? 0, sharedKiB: fields["RssShmem"] ?? 0,
            threads: threads, descriptors: descriptors, cpuMilliseconds: try cpuMilliseconds(pid: pid))
    }

    /// utime + stime of `/proc/<pid>/stat` (fields 14 and 15, in clock ticks), in ms.
    private static func cpuMilliseconds(pid: String) throws(SoakFailure) -> Int {
        let path = "/proc/\(pid)/stat"
        // The command name (field 2) is in parentheses and may hold spaces: count fields
        // from the last ')'; field 3 (the state) is then the first.
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            throw SoakFailure("cannot read \(path)")
        }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw SoakFailure("\(path) has no utime and stime")
        }
        let ticks = max(1, sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) * 1000 / ticks
    }

    /// `RSS 41.2 MiB (anon 20.1, shmem 12.0), 23 fds, 9 threads`.
    var summary: String {
        "RSS \(Self.mebibytes(residentKiB)) MiB (anon \(Self.mebibytes(anonymousKiB)), shmem \(Self.mebibytes(sharedKiB))), \(descriptors) fds, \(threads) threads"
    }

    /// KiB as MiB with one decimal.
    static func mebibytes(_ kibibytes: Int) -> String {
        let tenths = (kibibytes * 10 + 512) / 1024
        return "\(tenths / 10).\(tenths % 10)"
    }
}
