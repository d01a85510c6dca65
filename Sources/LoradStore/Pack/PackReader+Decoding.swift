import LoradSystem

extension PackReader {
    /// Decodes the tensor named `name` and checks its XXH64.
    ///
    /// - Returns: the tensor's original bytes (a new array of `byteCount` bytes).
    /// - Throws: `.tensorNotFound`, or `.corruptTensor` / `.checksumMismatch` naming it.
    public func decompress(tensorNamed name: String) throws(PackError) -> [UInt8] {
        guard let entry = manifest.tensor(named: name) else { throw .tensorNotFound(name) }
        return try decompress(entry)
    }

    /// Decodes one entry of this reader's manifest and checks its XXH64.
    ///
    /// - Throws: `.tensorNotFound` if `entry` is not one of this pack's entries,
    ///   `.corruptTensor` / `.checksumMismatch` naming the tensor.
    public func decompress(_ entry: PackTensorEntry) throws(PackError) -> [UInt8] {
        guard manifest.tensor(named: entry.name) == entry else { throw .tensorNotFound(entry.name) }
        var worker = try Self.makeWorker()
        return try decode(entry, with: &worker)
    }

    /// Decodes every tensor in parallel across cores (one zstd context per worker).
    ///
    /// - Returns: the tensors' bytes, in the order of `manifest.tensors`; at most
    ///   `limits.maxTotalBytes` in all.
    /// - Throws: the error of the first failing tensor in manifest order.
    public func decompressAll() throws(PackError) -> [[UInt8]] {
        let results = Parallel.map(count: manifest.tensors.count, missing: PackError.jobDidNotRun, makeState: Self.makeWorker) {
            (worker, index) throws(PackError) -> [UInt8] in
            try decode(manifest.tensors[index], with: &worker)
        }
        var tensors: [[UInt8]] = []
        tensors.reserveCapacity(results.count)
        for result in results { tensors.append(try result.get()) }
        return tensors
    }

    /// Decodes every tensor in parallel and checks every checksum, keeping nothing.
    ///
    /// - Throws: the error of the first failing tensor in manifest order.
    public func verify() throws(PackError) {
        let results = Parallel.map(count: manifest.tensors.count, missing: PackError.jobDidNotRun, makeState: Self.makeWorker) {
            (worker, index) throws(PackError) -> Bool in
            _ = try decode(manifest.tensors[index], with: &worker)
            return true
        }
        for result in results { _ = try result.get() }
    }

    /// Per-thread decoding state: a zstd context and a scratch buffer for planes that
    /// grows to the largest transformed tensor the thread decodes.
    struct Worker {
        let decompressor: ZstdDecompressor
        var scratch: [UInt8] = []
    }

    static func makeWorker() throws(PackError) -> Worker {
        do throws(ZstdError) { return Worker(decompressor: try ZstdDecompressor()) } catch {
            throw .outOfMemory(error.description)
        }
    }

    /// Decodes `entry` into a new array and verifies its checksum.
    func decode(_ entry: PackTensorEntry, with worker: inout Worker) throws(PackError) -> [UInt8] {
        let size = entry.byteCount
        var failure: PackError?
        // At least 1 byte of capacity: for 0 the standard library hands out its shared empty-array
        // storage and still writes the count into it, a data race (ThreadSanitizer reports it)
        // when workers decode empty tensors at the same time.
        let decoded = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { output, initialized in
            do throws(PackError) {
                try decode(entry, into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(output)[..<size]), with: &worker)
                initialized = size
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        let computed = decoded.withUnsafeBytes { XXH64.hash($0) }
        guard computed == entry.checksum else {
            throw .checksumMismatch(tensor: entry.name, stored: entry.checksum, computed: computed)
        }
        return decoded
    }

    private func decode(_ entry: PackTensorEntry, into output: UnsafeMutableRawBufferPointer, with worker: inout Worker) throws(PackError) {
        let decompressor = worker.decompressor
        let range = entry.compressedRange
        let framesChecksum = bytes.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[range])) }
        guard framesChecksum == entry.framesChecksum else {
            throw .corruptTensor(
                name: entry.name,
                detail: "its compressed bytes fail their checksum (\(PackError.hex(entry.framesChecksum)) stored, \(PackError.hex(framesChecksum)) computed)")
        }
        do throws(ZstdError) {
            try bytes.withTypedBytes { (pack) throws(ZstdError) in
                func frame(_ index: Int) -> UnsafeRawBufferPointer {
                    let frame = entry.frames[index]
                    return UnsafeRawBufferPointer(rebasing: pack[frame.offset..<(frame.offset + frame.byteCount)])
                }
                guard entry.transform != .none else {
                    try decompressor.decompress(frame(0), into: output)
                    return
                }
                let planes = entry.frames.count
                let planeSize = entry.byteCount / planes
                if worker.scratch.count < entry.byteCount {
                    worker.scratch = [UInt8](repeating: 0, count: entry.byteCount)
                }
                try worker.scratch.withTypedMutableBytes { (scratch) throws(ZstdError) in
                    for plane in 0..<planes {
                        let start = plane * planeSize
                        let target = UnsafeMutableRawBufferPointer(rebasing: scratch[start..<(start + planeSize)])
                        do throws(ZstdError) { try decompressor.decompress(frame(plane), into: target) } catch {
                            throw ZstdError(kind: error.kind, message: "plane \(plane): \(error.message)")
                        }
                    }
                    PackTransform.join(
                        UnsafeRawBufferPointer(rebasing: scratch[0..<entry.byteCount]), into: output,
                        width: planes, rotate: entry.transform == .rotatedBytePlanes)
                }
            }
        } catch {
            throw .corruptTensor(name: entry.name, detail: error.description)
        }
    }
}
