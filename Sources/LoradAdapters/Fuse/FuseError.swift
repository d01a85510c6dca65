/// Why ``FuseKernel`` refused a request. Thrown before any output byte is written.
public struct FuseError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The class of problem, for callers that map errors to protocol codes.
    public enum Kind: String, Sendable, Equatable {
        /// An operand has a dtype other than F64, F32, F16 or BF16.
        case unsupportedDType
        /// A negative dimension, or factor shapes that do not chain with the base.
        case shapeMismatch
        /// An operand's or the output's byte count disagrees with its shape.
        case sizeMismatch
        /// A dimension exceeds what the BLAS interface accepts (Int32) or overflows.
        case tooLarge
        /// A coefficient is NaN or infinite.
        case invalidCoefficient
        /// The output overlaps a factor, or overlaps the base other than exactly.
        case overlappingOutput
    }

    /// The class of problem.
    public let kind: Kind
    /// One line saying what was wrong and what to do.
    public let message: String

    /// An error of `kind` with a one-line `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The one-line message.
    public var description: String { message }
}
