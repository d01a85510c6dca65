/// What a segment holds (u8 on the wire). Every segment is a safetensors file in a sealed memfd.
public enum SegmentKind: UInt8, CaseIterable, Sendable {
    /// The base model's weights. Always the first segment of a session.
    case base = 0
    /// One adapter's normalised LoRA factors (A, B and per-module scale), to apply unfused.
    case factors = 1
    /// Fused weights W + sum w_i s_i B_i A_i for the tensors the active set touches; they
    /// replace the base's tensors of the same name.
    case overlay = 2
}
