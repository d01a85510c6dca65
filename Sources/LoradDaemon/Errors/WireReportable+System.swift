import Glibc
import LoradSystem
import LoradWire

extension SystemError: WireReportable {
    /// `resource_exhausted` when memory, disk or descriptors ran out, else `internal`.
    public var wireCode: ErrorCode {
        switch errno {
        case ENOMEM, ENOSPC, EMFILE, ENFILE, EDQUOT: .resourceExhausted
        default: .internal
        }
    }
}
