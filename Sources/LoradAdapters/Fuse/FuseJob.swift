import Dispatch
import LoradTensors

/// One fuse call prepared for execution: the base and output views, the factors
/// already in the accumulator type, and the split of the rows into panels.
///
/// Each panel of `panelRows` base rows is widened into the panel buffer, updated
/// by one GEMM per term with `beta = 1`, and rounded once into the same rows of
/// the output, so the working set stays in cache and the output may be the base
/// itself (a panel is read before it is written).
struct FuseJob<Accumulator: FuseAccumulator> {
    /// One term ready for BLAS.
    struct Factors {
        /// A, rank x cols, in the accumulator type.
        var a: UnsafePointer<Accumulator>
        /// B, rows x rank, in the accumulator type.
        var b: UnsafePointer<Accumulator>
        /// The inner dimension.
        var rank: Int
        /// The term's coefficient.
        var alpha: Double
    }

    var base: UnsafeRawPointer
    var output: UnsafeMutableRawPointer
    var dtype: DType
    var rows: Int
    var cols: Int
    var factors: [Factors]
    /// Set for F32 accumulation into BF16/F16: certifies each rounding (see ``FuseRefinement``).
    var refinement: FuseRefinement?
    var panelRows: Int
    /// Threads that share the widening and narrowing of one panel.
    var conversionThreads: Int

    /// Number of panels.
    var panelCount: Int { (rows + panelRows - 1) / panelRows }

    /// Runs every panel in turn in `buffer` (panelRows x cols values).
    func run(buffer: UnsafeMutablePointer<Accumulator>) {
        for panel in 0..<panelCount {
            runPanel(panel, buffer: buffer)
        }
    }

    /// Widens, updates and narrows the rows of one panel.
    func runPanel(_ panel: Int, buffer: UnsafeMutablePointer<Accumulator>) {
        let firstRow = panel * panelRows
        let panelHeight = min(panelRows, rows - firstRow)
        let elementSize = dtype.bitWidth / 8
        let firstElement = firstRow * cols
        let count = panelHeight * cols

        forEachChunk(count: count) { start, length in
            Accumulator.widen(base + (firstElement + start) * elementSize, dtype, count: length,
                              into: buffer + start)
        }
        for term in factors {
            Accumulator.accumulateProduct(m: panelHeight, n: cols, k: term.rank, alpha: term.alpha,
                                          b: term.b + firstRow * term.rank, a: term.a, c: buffer)
        }
        if let refinement {
            refinement.refine(panel: UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: Float.self),
                              firstRow: firstRow, height: panelHeight, base: base)
        }
        forEachChunk(count: count) { start, length in
            Accumulator.narrow(buffer + start, count: length,
                               into: output + (firstElement + start) * elementSize, dtype)
        }
    }

    /// Calls `body(start, length)` over `0..<count` split into `conversionThreads`
    /// contiguous chunks (64-element aligned), concurrently when there are several.
    private func forEachChunk(count: Int, _ body: (Int, Int) -> Void) {
        let threads = conversionThreads
        guard threads > 1, count >= 4096 else {
            body(0, count)
            return
        }
        let chunk = ((count + threads - 1) / threads + 63) & ~63
        withoutActuallyEscaping(body) { body in
            let shared = SendableChunkBody(body: body)
            DispatchQueue.concurrentPerform(iterations: threads) { index in
                let start = index * chunk
                if start < count { shared.body(start, min(chunk, count - start)) }
            }
        }
    }
}

/// A chunk callback handed to `concurrentPerform`.
///
/// `@unchecked Sendable` because the callbacks of ``FuseJob`` only read the shared
/// base and write disjoint element ranges of the panel buffer and the output, all
/// of which outlive the blocking `concurrentPerform` call.
private struct SendableChunkBody: @unchecked Sendable {
    let body: (Int, Int) -> Void
}
