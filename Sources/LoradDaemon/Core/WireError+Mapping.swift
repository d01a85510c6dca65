import Glibc
import LoradAdapters
import LoradStore
import LoradSystem
import LoradTensors
import LoradWire

extension WireError {
    /// Maps any error the core's collaborators throw to a protocol error: adapter problems
    /// to `incompatible` / `invalid_argument` / `unsupported`, missing catalog entries to
    /// `not_found`, damaged packs and blobs to `corrupt`, budgets to `resource_exhausted`,
    /// and anything unexpected to `internal` with its description.
    init(reporting error: any Error) {
        switch error {
        case let error as WireError: self = error
        case let error as SessionError: self.init(error.code, error.description)
        case let error as SegmentBudgetError: self.init(.resourceExhausted, error.description)
        case let error as AdapterError: self.init(WireError.code(of: error), error.description)
        case let error as CatalogError: self.init(WireError.code(of: error), error.description)
        case let error as AdapterReferenceError: self.init(.invalidArgument, error.description)
        case let error as PackError: self.init(.corrupt, "a stored adapter pack is damaged: \(error); run verify, then re-import it")
        case let error as BlobStoreError: self.init(WireError.code(of: error), error.description)
        case let error as AdapterStoreError: self.init(.corrupt, error.description)
        case let error as SafetensorsError: self.init(.corrupt, error.description)
        case let error as TensorError: self.init(.corrupt, error.description)
        case let error as FuseError:
            self.init(error.kind == .unsupportedDType ? .unsupported : .incompatible, error.description)
        case let error as SystemError: self.init(WireError.code(of: error), "\(error)")
        default: self.init(.internal, "unexpected failure: \(error)")
        }
    }

    private static func code(of error: AdapterError) -> ErrorCode {
        switch error {
        case .unmappedModules, .shapeMismatch, .unsupportedBaseTensor, .ambiguousName: .incompatible
        case .unsupported: .unsupported
        case .notFound: .notFound
        case .pickled, .unrecognised, .noLoraTensors, .missingPartner, .unexpectedKeys, .duplicateModule,
            .badFactorShapes, .badAlpha, .nonFiniteFactor, .badConfig:
            .invalidArgument
        }
    }

    private static func code(of error: CatalogError) -> ErrorCode {
        switch error {
        case .notFound, .versionNotFound: .notFound
        case .invalidName, .invalidField: .invalidArgument
        case .versionsExhausted: .resourceExhausted
        case .corrupt: .corrupt
        case .schemaTooNew, .needsMigration, .sqlite: .internal
        }
    }

    private static func code(of error: BlobStoreError) -> ErrorCode {
        switch error {
        case .missing, .damaged, .notAFile: .corrupt
        case .io(let system): code(of: system)
        }
    }

    private static func code(of error: SystemError) -> ErrorCode {
        switch error.errno {
        case ENOMEM, ENOSPC, EMFILE, ENFILE, EDQUOT: .resourceExhausted
        default: .internal
        }
    }
}
