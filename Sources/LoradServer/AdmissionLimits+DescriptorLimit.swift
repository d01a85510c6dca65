import Logging
import LoradSystem

extension AdmissionLimits {
    /// Raises this process's soft `RLIMIT_NOFILE` to ``descriptorsNeeded``, or as far as the
    /// hard limit allows, and logs what it did; never lowers it. Called at start and after a
    /// reload. When the hard limit is lower than needed, a warning says how many connections
    /// the limit can serve and how to raise it (`LimitNOFILE=` in the unit); lorad runs on,
    /// and accepting pauses briefly whenever `accept` meets `EMFILE`.
    ///
    /// - Returns: the limit in force afterwards, `nil` when it could not be read or set.
    @discardableResult
    public func raiseDescriptorLimit(logger: Logger) -> OpenFilesLimit? {
        let wanted = UInt64(descriptorsNeeded)
        let outcome: (before: OpenFilesLimit, after: OpenFilesLimit)
        do {
            outcome = try OpenFilesLimit.raiseSoft(to: wanted)
        } catch {
            logger.warning(
                "cannot raise the open files limit to \(wanted), what \(acceptCeiling) connections need: \(error); set LimitNOFILE=\(wanted) in the unit or lower limits.max_connections")
            return nil
        }
        let (before, after) = outcome
        if after.soft < wanted {
            let serves = (Int(clamping: after.soft) - Self.descriptorHeadroom) / Self.descriptorsPerConnection
            logger.warning(
                "open files limit is \(after); \(acceptCeiling) connections (limits.max_connections + limits.reserved_connections) want \(wanted), so only about \(max(serves, 0)) can be served with room for their descriptors; set LimitNOFILE=\(wanted) in the unit (or ulimit -Hn) or lower limits.max_connections")
        } else if after.soft > before.soft {
            logger.info("raised the open files limit from \(before.soft) to \(after.soft) for \(acceptCeiling) connections")
        }
        return after
    }
}
