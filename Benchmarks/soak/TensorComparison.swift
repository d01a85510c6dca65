import Glibc
import LoradTensors

/// Compares the tensors of two safetensors files byte for byte, by name: how the soak
/// checks a segment against an output lorad makes another way (the base file, a MERGE, an
/// EXPORT).
enum TensorComparison {
    /// Which tensors of `reference` the segment must hold.
    enum Coverage {
        /// Exactly the same names (a base, a factors segment against its export).
        case same
        /// A non-empty subset (an overlay against the whole merged model).
        case subset
    }

    /// Checks that every tensor of `segment` is in `reference` with the same dtype, shape and
    /// bytes, and that the names cover `reference` as `coverage` says.
    /// - Returns: the number of tensors compared.
    /// - Throws: ``SoakFailure`` naming `what` and the first difference.
    @discardableResult
    static func check(
        _ segment: UnsafeRawBufferPointer, against reference: UnsafeRawBufferPointer, coverage: Coverage, what: String
    ) throws(SoakFailure) -> Int {
        let ours = try header(segment, "\(what): the segment")
        let theirs = try header(reference, "\(what): the reference")
        let names = Set(ours.entries.map(\.name))
        switch coverage {
        case .same:
            guard names == Set(theirs.entries.map(\.name)) else {
                let extra = names.subtracting(theirs.entries.map(\.name)).sorted().prefix(3)
                let missing = Set(theirs.entries.map(\.name)).subtracting(names).sorted().prefix(3)
                throw SoakFailure("\(what): tensor names differ (only in the segment: \(Array(extra)); only in the reference: \(Array(missing)))")
            }
        case .subset:
            guard !names.isEmpty else { throw SoakFailure("\(what): the segment holds no tensor") }
        }
        for entry in ours.entries {
            guard let other = theirs.entry(named: entry.name) else {
                throw SoakFailure("\(what): tensor \(entry.name) is not in the reference")
            }
            guard entry.dtype == other.dtype, entry.shape == other.shape else {
                throw SoakFailure("\(what): tensor \(entry.name) is \(entry.dtype) \(entry.shape), the reference's \(other.dtype) \(other.shape)")
            }
            let mine = UnsafeRawBufferPointer(rebasing: segment[(ours.dataStart + entry.dataOffsets.lowerBound)..<(ours.dataStart + entry.dataOffsets.upperBound)])
            let wanted = UnsafeRawBufferPointer(rebasing: reference[(theirs.dataStart + other.dataOffsets.lowerBound)..<(theirs.dataStart + other.dataOffsets.upperBound)])
            if let offset = firstDifference(mine, wanted) {
                throw SoakFailure("\(what): tensor \(entry.name) differs from the reference at byte \(offset) of \(mine.count)")
            }
        }
        return ours.entries.count
    }

    /// The names of the tensors of `changed` whose bytes differ from the tensor of the same
    /// name in `original` (or that `original` lacks).
    static func differingNames(_ changed: UnsafeRawBufferPointer, from original: UnsafeRawBufferPointer, what: String) throws(SoakFailure) -> Set<String> {
        let new = try header(changed, "\(what): the changed file")
        let old = try header(original, "\(what): the original")
        var names = Set<String>()
        for entry in new.entries {
            guard let before = old.entry(named: entry.name) else {
                names.insert(entry.name)
                continue
            }
            let after = UnsafeRawBufferPointer(rebasing: changed[(new.dataStart + entry.dataOffsets.lowerBound)..<(new.dataStart + entry.dataOffsets.upperBound)])
            let was = UnsafeRawBufferPointer(rebasing: original[(old.dataStart + before.dataOffsets.lowerBound)..<(old.dataStart + before.dataOffsets.upperBound)])
            if firstDifference(after, was) != nil { names.insert(entry.name) }
        }
        return names
    }

    /// The offset of the first byte where `a` and `b` differ (a length difference counts at
    /// the shorter length), nil when they are equal.
    static func firstDifference(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int? {
        let common = min(a.count, b.count)
        if common > 0, let left = a.baseAddress, let right = b.baseAddress, memcmp(left, right, common) != 0 {
            var index = 0
            while a[index] == b[index] { index += 1 }
            return index
        }
        return a.count == b.count ? nil : common
    }

    private static func header(_ bytes: UnsafeRawBufferPointer, _ what: String) throws(SoakFailure) -> SafetensorsHeader {
        do {
            return try SafetensorsHeader.parse(bytes)
        } catch {
            throw SoakFailure("\(what) is not a valid safetensors file: \(error)")
        }
    }
}
