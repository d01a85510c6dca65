/// VERIFY_REPLY: the outcome of a store check.
///
/// Fields in wire order (PROTOCOL.md): `checked` u32, `problem_count` u32, `problems` list<record
/// VerifyProblem>.
public struct VerifyReply: WireCodable, Hashable {
    /// Packs and blobs checked.
    public var checked: UInt32
    /// Problems found in total (may exceed the list).
    public var problemCount: UInt32
    /// The first problems found.
    public var problems: [VerifyProblem]

    /// Creates the payload from its fields.
    public init(checked: UInt32, problemCount: UInt32, problems: [VerifyProblem]) {
        self.checked = checked
        self.problemCount = problemCount
        self.problems = problems
    }

    /// Reads the fields in layout order (see `WireCodable`).
    public init(from reader: inout PayloadReader) throws(WireError) {
        checked = try reader.u32("checked")
        problemCount = try reader.u32("problem_count")
        problems = try reader.records("problems", maxCount: WireLimits.maxVerifyProblems, VerifyProblem.self)
    }

    /// Writes the fields in layout order (see `WireCodable`).
    public func encode(to writer: inout PayloadWriter) throws(WireError) {
        writer.u32(checked)
        writer.u32(problemCount)
        try writer.records(problems, "problems", maxCount: WireLimits.maxVerifyProblems)
    }
}
