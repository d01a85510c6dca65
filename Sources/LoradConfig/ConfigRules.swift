import LoradNotation
import LoradSystem
import LoradWire

/// The checks a setting passes whether it comes from the file or a flag: ranges,
/// path rules, account ids. Each throws a ``ConfigValueError`` that the caller
/// wraps with the key and origin.
enum ConfigRules {
    /// Timeouts accepted.
    static let timeouts = Duration.milliseconds(1)...Duration.seconds(86_400)
    /// The smallest memory budget: smaller is surely a missing unit.
    static let minimumMemoryBudget = ByteSize.mebibyte
    /// The longest path (`PATH_MAX` minus the NUL).
    static let maximumPathBytes = 4095
    /// `(uid_t)-1` and `(gid_t)-1` mean "no change" to the kernel, never an id.
    static let maximumAccountID: Int64 = 4_294_967_294

    static func memoryBudget(_ bytes: Int, written: String) throws(ConfigValueError) -> Int {
        guard bytes >= minimumMemoryBudget else {
            let bare = !written.isEmpty && written.allSatisfy { $0.isASCII && $0.isNumber }
            let hint = bare && bytes > 0 ? "; did you forget the unit, as in \"\(written)GiB\"?" : ""
            throw ConfigValueError("\(written) is too small for a memory budget (at least 1MiB)\(hint)")
        }
        return bytes
    }

    static func integer(_ value: Int64, in range: ClosedRange<Int>, what: String) throws(ConfigValueError) -> Int {
        guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
            throw ConfigValueError("\(value) is out of range; \(what) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return Int(value)
    }

    static func timeout(_ duration: Duration, written: String) throws(ConfigValueError) -> Duration {
        guard timeouts.contains(duration) else {
            throw ConfigValueError("\(written) is out of range; a timeout must be between 1ms and 24h")
        }
        return duration
    }

    static func accountID(_ value: Int64, kind: String) throws(ConfigValueError) -> UInt32 {
        guard value >= 0, value <= maximumAccountID else {
            throw ConfigValueError("\(value) is not a valid \(kind) (0 to \(maximumAccountID))")
        }
        return UInt32(value)
    }

    /// An absolute, tidy path: `~/` expands to `home`, a relative path is taken
    /// from `directory`, `.` parts and repeated or trailing slashes go.
    static func path(_ text: String, relativeTo directory: String, home: String?) throws(ConfigValueError) -> String {
        guard !text.isEmpty else { throw ConfigValueError("a path cannot be empty") }
        guard !text.utf8.contains(0) else { throw ConfigValueError("path \(text.displayQuoted) contains a NUL character") }
        var path = text
        if path == "~" || path.hasPrefix("~/") {
            guard let home, home.hasPrefix("/") else {
                throw ConfigValueError("cannot expand ~ in \(text.displayQuoted): HOME is not set; write the full path")
            }
            path = home + path.dropFirst()
        } else if path.hasPrefix("~") {
            throw ConfigValueError("~user paths are not supported (\(text.displayQuoted)); write the full path")
        }
        if !path.hasPrefix("/") { path = directory + "/" + path }
        let parts = path.split(separator: "/").filter { $0 != "." }
        let tidy = "/" + parts.joined(separator: "/")
        guard tidy.utf8.count <= maximumPathBytes else {
            throw ConfigValueError("path \(text.displayQuoted) is longer than \(maximumPathBytes) bytes")
        }
        return tidy
    }

    /// A base's name: the protocol's name grammar (``WireName``), so that clients can send
    /// every name the config accepts.
    static func baseName(_ name: String) throws(ConfigValueError) {
        guard !WireName.isValid(name) else { return }
        throw ConfigValueError(
            "base name \(name.displayQuoted) is not valid: use 1 to \(WireLimits.maxNameBytes) characters of A-Z a-z 0-9 . _ -, starting with a letter or digit")
    }

    static func socketPath(_ path: String) throws(ConfigValueError) -> String {
        let length = path.utf8.count
        guard length <= UnixSocket.maximumPathLength else {
            throw ConfigValueError("socket path \(path.displayQuoted) is \(length) bytes; a Unix socket path can be at most \(UnixSocket.maximumPathLength) bytes, so choose a shorter one")
        }
        return path
    }

    /// The closest of `candidates` to `key` when it is a plausible typo.
    static func suggestion(for key: String, among candidates: [String]) -> String? {
        let target = Array(key.lowercased().unicodeScalars)
        guard target.count <= 64 else { return nil }
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.unicodeScalars))
            if distance <= max(2, candidate.count / 4), distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }

    private static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
