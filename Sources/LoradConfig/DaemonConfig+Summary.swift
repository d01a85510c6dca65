import LoradNotation

extension DaemonConfig {
    /// One line for `lorad --check-config`: `config OK: 1 base (cogvideox-5b);
    /// state /var/lib/lorad; socket /run/lorad/lorad.sock (mode 0660[, group 990]); memory
    /// budget 32GiB; 2 threads; access: root, uid 998, 1 user, 1 group; admin: ...`.
    public var summary: String {
        let shownBases = bases.prefix(5).map(\.name).joined(separator: ", ") + (bases.count > 5 ? ", …" : "")
        let baseText = bases.isEmpty ? "no bases" : "\(DaemonConfig.count(bases.count, "base")) (\(shownBases))"
        let owner = access.daemonUID == 0 ? "root" : "root, uid \(access.daemonUID)"
        let fileText = configFile.map { " from \($0)" } ?? ""
        return "config OK\(fileText): \(baseText); state \(stateDirectory); socket \(socketPath) (mode \(FileModeSyntax.format(socketMode))\(socketGroup.map { ", group \($0)" } ?? "")); "
            + "memory budget \(ByteSize.format(memoryBudget)); \(DaemonConfig.count(threads, "thread")); "
            + "access: \(owner), \(DaemonConfig.count(access.allowedUIDs.count, "user")), \(DaemonConfig.count(access.allowedGIDs.count, "group")); "
            + "admin: \(owner), \(DaemonConfig.count(access.adminUIDs.count, "user")), \(DaemonConfig.count(access.adminGIDs.count, "group"))"
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
