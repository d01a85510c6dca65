import LoradTensors
import LoradWire

extension SafetensorsError: WireReportable {
    /// `corrupt`: a file or segment the daemon reads is damaged.
    public var wireCode: ErrorCode { .corrupt }
}

extension TensorError: WireReportable {
    /// `corrupt`.
    public var wireCode: ErrorCode { .corrupt }
}
