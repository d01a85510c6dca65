import ArgumentParser
import LoradClient
import LoradWire

/// `loractl verify`: checks the store (admin).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every stored pack and blob against its checksums (admin).",
        discussion: "Exits 65 when problems are found."
    )

    @OptionGroup var online: OnlineOptions

    @Option(help: "Only check this adapter's versions.")
    var adapter: String?

    func run() throws {
        try online.run { connection in
            let reply = try connection.verify(adapter: adapter)
            let failure = reply.problemCount == 0 ? nil : CommandError(
                status: .dataError,
                message: "the store has \(reply.problemCount) damaged item(s); remove and re-import the adapters named above")
            return CommandOutput(json: CLIJSON.verify(reply), failure: failure) {
                var lines = ["checked \(reply.checked) packs and blobs: \(reply.problemCount == 0 ? "no problems" : "\(reply.problemCount) problem(s)")"]
                lines += reply.problems.map { "  \($0.subject): \($0.message)" }
                if Int(reply.problemCount) > reply.problems.count {
                    lines.append("  ... and \(Int(reply.problemCount) - reply.problems.count) more")
                }
                return lines.joined(separator: "\n")
            }
        }
    }
}
