import LoradAdapters
import LoradWire

extension AdapterError: WireReportable {
    /// `incompatible` when the adapter does not fit the base, `unsupported`, `not_found`,
    /// else `invalid_argument` (the adapter's files are at fault).
    public var wireCode: ErrorCode {
        switch self {
        case .unmappedModules, .shapeMismatch, .unsupportedBaseTensor, .ambiguousName: .incompatible
        case .unsupported: .unsupported
        case .notFound: .notFound
        case .pickled, .unrecognised, .noLoraTensors, .missingPartner, .unexpectedKeys, .duplicateModule,
            .badFactorShapes, .badAlpha, .nonFiniteFactor, .badConfig:
            .invalidArgument
        }
    }
}

extension FuseError: WireReportable {
    /// `unsupported` for a dtype the kernels do not handle, else `incompatible`.
    public var wireCode: ErrorCode { kind == .unsupportedDType ? .unsupported : .incompatible }
}
