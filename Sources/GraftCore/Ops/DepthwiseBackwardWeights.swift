import CDNNL
import CGraftKernels

/// oneDNN 2.6 has a fast depthwise backward-weights kernel ("jit_dw") only for 1x1 and undilated
/// 3x3 kernels (on AVX2 at least); 5x5, 7x7 and dilated ones fall back to im2col + GEMM, some 15 to 40 times slower
/// than Graft's own SIMD kernel (CGraftKernels). This routes those to ours when the data is in a
/// channel-blocked layout.
enum DepthwiseBackwardWeights {
    /// The instruction set the kernel runs with; tests pass lower ones to cover every variant.
    static let bestISA = graft_best_isa()

    /// The weight gradient in plain (O, 1, kH, kW) and the bias gradient (O) when the geometry has
    /// a bias; nil leaves it to oneDNN: not depthwise, an input that is not in nChw8c / nChw16c,
    /// or a shape oneDNN has its depthwise kernel for (it is as fast as ours there).
    static func run(_ g: ConvGeometry, src: Storage, dy: Storage) -> (Storage, Storage?)? {
        guard g.isDepthwise, src.layout.channelBlock != nil, !oneDNNHasFastKernel(g) else { return nil }
        return compute(g, src: src, dy: dy)
    }

    /// Whether oneDNN's backward-weights primitive for `g` (cached, as the fallback needs it
    /// anyway) is its JIT depthwise kernel rather than the GEMM path. Asking beats a fixed rule on
    /// kernel sizes: what oneDNN covers depends on the CPU it runs on.
    static func oneDNNHasFastKernel(_ g: ConvGeometry) -> Bool {
        ConvPrimitives.backwardWeights(g).implementation.hasPrefix("jit_dw")
    }

    /// Graft's kernel on any depthwise geometry whose input is channel-blocked, else nil.
    static func compute(_ g: ConvGeometry, src: Storage, dy: Storage, isa: graft_isa = bestISA) -> (Storage, Storage?)? {
        guard g.isDepthwise, let block = src.layout.channelBlock else { return nil }
        let dyBlocked = dy.reordered(to: Layout(tagged: g.dstDims, tag: block == 16 ? dnnl_aBcd16b : dnnl_aBcd8b))
        var problem = graft_dw_problem(
            batch: Int32(g.batch), channels: Int32(g.inChannels), block: Int32(block),
            height: Int32(g.height), width: Int32(g.width),
            out_height: Int32(g.outHeight), out_width: Int32(g.outWidth),
            kernel_h: Int32(g.kernelH), kernel_w: Int32(g.kernelW),
            stride_h: Int32(g.stride.0), stride_w: Int32(g.stride.1),
            dilation_h: Int32(g.dilation.0), dilation_w: Int32(g.dilation.1),
            pad_top: Int32(g.pad.top), pad_left: Int32(g.pad.left),
            with_bias: g.hasBias ? 1 : 0)

        let units = Int(graft_dw_unit_count(&problem))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: units * Int(graft_dw_unit_floats(&problem)))
        defer { scratch.deallocate() }
        var work = UnitWork(problem: problem, isa: isa, src: src.floats, dy: dyBlocked.floats, scratch: scratch)
        // Units write disjoint scratch and are added up in a fixed order afterwards, so the
        // result is the same however the threads share them. They run on oneDNN's OpenMP threads,
        // which would otherwise spin beside Dispatch's for the cores.
        withExtendedLifetime((src, dyBlocked)) {
            withUnsafeMutablePointer(to: &work) { context in
                graft_parallel_for(Int32(units), { context, unit in
                    context!.assumingMemoryBound(to: UnitWork.self).pointee.run(unit: Int(unit))
                }, context)
            }
        }

        let dw = Storage(layout: .plain([g.outChannels, 1, g.kernelH, g.kernelW]))
        let db = g.hasBias ? Storage(layout: .plain([g.outChannels])) : nil
        graft_dw_finish(&problem, scratch, dw.floats, db?.floats)
        return (dw, db)
    }
}

/// What every work unit needs, read-only while the units run; the raw pointers stay valid because
/// `compute` keeps their storages alive until all units have finished.
private struct UnitWork {
    let problem: graft_dw_problem
    let isa: graft_isa
    let src: UnsafePointer<Float>
    let dy: UnsafePointer<Float>
    let scratch: UnsafeMutablePointer<Float>

    init(problem: graft_dw_problem, isa: graft_isa, src: UnsafeMutablePointer<Float>,
         dy: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        self.problem = problem
        self.isa = isa
        self.src = UnsafePointer(src)
        self.dy = UnsafePointer(dy)
        self.scratch = scratch
    }

    func run(unit: Int) {
        withUnsafePointer(to: problem) { graft_dw_run_unit($0, isa, src, dy, Int32(unit), scratch) }
    }
}
