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
        try runReportingErrors {
            let connection = try online.connect()
            defer { connection.close() }
            let reply = try connection.verify(adapter: adapter)
            if online.json {
                print(CLIJSON.verify(reply))
            } else {
                print("checked \(reply.checked) packs and blobs: \(reply.problemCount == 0 ? "no problems" : "\(reply.problemCount) problem(s)")")
                for problem in reply.problems { print("  \(problem.subject): \(problem.message)") }
                if Int(reply.problemCount) > reply.problems.count {
                    print("  ... and \(Int(reply.problemCount) - reply.problems.count) more")
                }
            }
            if reply.problemCount > 0 {
                throw CommandError(
                    status: .dataError,
                    message: "the store has \(reply.problemCount) damaged item(s); remove and re-import the adapters named above")
            }
        }
    }
}
