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
    var panelRows: Int
    /// Threads that share the widening and narrowing of one panel.
    var conversionThreads: Int
    /// With an F32 accumulator: round through the certified check instead of
    /// plainly (see ``CertifiedRounding``).
    var certified: CertifiedRounding? = nil

    /// Number of panels.
    var panelCount: Int { (rows + panelRows - 1) / panelRows }

    /// Runs the panels in `buffers` (panelRows x cols values each): with one
    /// buffer every panel in turn; with more, on that many threads at once, panel
    /// p on thread p mod count in its own buffer.
    func run(buffers: [UnsafeMutablePointer<Accumulator>]) {
        let workers = min(buffers.count, panelCount)
        guard workers > 1 else {
            if let buffer = buffers.first {
                for panel in 0..<panelCount { runPanel(panel, buffer: buffer) }
            }
            return
        }
        let shared = SendablePanelRun(job: self, buffers: buffers)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for panel in stride(from: worker, to: shared.job.panelCount, by: workers) {
                shared.job.runPanel(panel, buffer: shared.buffers[worker])
            }
        }
    }

    /// Widens, updates and narrows the rows of one panel.
    func runPanel(_ panel: Int, buffer: UnsafeMutablePointer<Accumulator>) {
        let firstRow = panel * panelRows
        let panelHeight = min(panelRows, rows - firstRow)
        let elementSize = dtype.bitWidth / 8
        let cols = self.cols

        forEachChunk(rows: panelHeight) { start, count in
            Accumulator.widen(base + ((firstRow + start) * cols) * elementSize, dtype, count: count * cols,
                              into: buffer + start * cols)
        }
        for term in factors {
            Accumulator.accumulateProduct(m: panelHeight, n: cols, k: term.rank, alpha: term.alpha,
                                          b: term.b + firstRow * term.rank, a: term.a, c: buffer)
        }
        forEachChunk(rows: panelHeight) { start, count in
            if let certified, Accumulator.self == Float.self {
                let values = UnsafeRawPointer(buffer + start * cols).assumingMemoryBound(to: Float.self)
                certified.narrow(values, firstRow: firstRow + start, rowCount: count, into: output)
            } else {
                Accumulator.narrow(buffer + start * cols, count: count * cols,
                                   into: output + ((firstRow + start) * cols) * elementSize, dtype)
            }
        }
    }

    /// Calls `body(firstRow, rowCount)` over the panel's rows `0..<rows` split into
    /// `conversionThreads` contiguous chunks, concurrently when there are several
    /// and the panel is big enough (4096 elements) to repay the threads.
    private func forEachChunk(rows: Int, _ body: (Int, Int) -> Void) {
        let threads = min(conversionThreads, rows)
        guard threads > 1, rows * cols >= 4096 else {
            body(0, rows)
            return
        }
        let chunk = (rows + threads - 1) / threads
        withoutActuallyEscaping(body) { body in
            let shared = SendableChunkBody(body: body)
            DispatchQueue.concurrentPerform(iterations: threads) { index in
                let start = index * chunk
                if start < rows { shared.body(start, min(chunk, rows - start)) }
            }
        }
    }
}

/// A chunk callback handed to `concurrentPerform`.
///
/// `@unchecked Sendable` because the callbacks of ``FuseJob`` only read the shared
/// base and factors and write disjoint row ranges of the panel buffer and the
/// output, all of which outlive the blocking `concurrentPerform` call.
private struct SendableChunkBody: @unchecked Sendable {
    let body: (Int, Int) -> Void
}

/// A job and its per-worker panel buffers handed to `concurrentPerform`.
///
/// `@unchecked Sendable`: the workers only read the job's base and factors,
/// worker w only touches buffer w and writes disjoint output rows, and all of
/// it outlives the blocking `concurrentPerform` call.
private struct SendablePanelRun<Accumulator: FuseAccumulator>: @unchecked Sendable {
    let job: FuseJob<Accumulator>
    let buffers: [UnsafeMutablePointer<Accumulator>]
}
