import CDNNL

/// `a + b`. `b` may have size 1 in any dimension where `a` does not (a per-channel bias of shape
/// (1, C, 1, 1), or squeeze-excite weights of shape (N, C, 1, 1)); the result has `a`'s shape.
public func add(_ a: Tensor, _ b: Tensor) -> Tensor { binary(a, b, .add) }

/// `a + b`; with `reusingFirst`, written over `a`'s buffer: the caller promises that nothing reads
/// `a` afterwards (see `activation(_:_:reusingInput:)`). An addition's backward needs neither operand.
public func add(_ a: Tensor, _ b: Tensor, reusingFirst: Bool) -> Tensor { binary(a, b, .add, reusingFirst: reusingFirst) }

/// `a * b`, with the same broadcasting of `b` as `add`.
public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { binary(a, b, .multiply) }

public func + (a: Tensor, b: Tensor) -> Tensor { add(a, b) }
public func * (a: Tensor, b: Tensor) -> Tensor { multiply(a, b) }

enum BinaryOp: String {
    case add, multiply
    var algorithm: dnnl_alg_kind_t { self == .add ? dnnl_binary_add : dnnl_binary_mul }
}

func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp, reusingFirst: Bool = false) -> Tensor {
    precondition(a.shape.count == b.shape.count && zip(a.shape, b.shape).allSatisfy { $1 == $0 || $1 == 1 },
                 "\(op): shape \(b.shape) does not broadcast to \(a.shape)")
    let aStorage = a.storage
    // The second operand follows the first's layout family, so that oneDNN's broadcast kernels apply.
    let bStorage = b.storage.reordered(to: layoutLike(aStorage.layout, dims: b.shape))
    let dst = runBinary(op.algorithm, aStorage, bStorage, into: reusingFirst && op == .add ? aStorage : nil)
    let broadcast = a.shape != b.shape
    let needsA = a.requiresGrad, needsB = b.requiresGrad
    // An addition's backward needs no operand: keep only the layouts, so both can be freed.
    let aLayout = aStorage.layout, bLayout = bStorage.layout
    let saved = op == .multiply ? (a: aStorage, b: bStorage) : nil
    let result = record(op.rawValue, output: dst, shape: a.shape, inputs: [a, b]) { dy in
        let dyA = dy.reordered(to: aLayout)
        switch op {
        case .add:
            return [needsA ? dyA : nil,
                    needsB ? (broadcast ? reduceSum(dyA, to: bLayout) : dyA) : nil]
        case .multiply:
            let (aStorage, bStorage) = saved!
            let da = needsA ? runBinary(dnnl_binary_mul, dyA, bStorage) : nil
            var db: Storage?
            if needsB {
                let full = runBinary(dnnl_binary_mul, dyA, aStorage)
                db = broadcast ? reduceSum(full, to: bStorage.layout) : full
            }
            return [da, db]
        }
    }
    return traced(result, inputs: [a, b]) { _ in op == .add ? .add : .multiply }
}

/// The layout of the same family as `layout` (plain, channels-last, or blocked by the same
/// channel block) for other dims of the same rank.
func layoutLike(_ layout: Layout, dims: [Int]) -> Layout {
    if let block = layout.channelBlock {
        return Layout(tagged: dims, tag: block == 16 ? dnnl_aBcd16b : dnnl_aBcd8b)
    }
    return layout.isChannelsLast ? .channelsLast(dims) : .plain(dims)
}

/// dst = a (op) b, dst in `a`'s layout; `into` may be `a` itself.
func runBinary(_ alg: dnnl_alg_kind_t, _ a: Storage, _ b: Storage, into destination: Storage? = nil) -> Storage {
    let key = PrimitiveKey("binary", ints: [Int(alg.rawValue)], layouts: [a.layout, b.layout])
    let prim = try! PrimitiveCache.shared.primitive(key) {
        var desc = dnnl_binary_desc_t()
        var s0 = a.layout.desc, s1 = b.layout.desc, d = a.layout.desc
        try dnnlCheck(dnnl_binary_desc_init(&desc, alg, &s0, &s1, &d), "binary desc")
        return try makePD(desc, "binary \(a.layout.dims) with \(b.layout.dims)")
    }
    let dst = destination ?? prim.output(DNNL_ARG_DST)
    prim.execute([DNNL_ARG_SRC_0: a, DNNL_ARG_SRC_1: b, DNNL_ARG_DST: dst])
    return dst
}

/// Sums `src` over the dimensions where `target` has size 1.
func reduceSum(_ src: Storage, to target: Layout) -> Storage {
    let s = src.layout.dims, t = target.dims
    if s.count == 4, t == [s[0], s[1], 1, 1] { return sumOverImage(src, to: target) }
    if s.count == 4, t == [1, s[1], 1, 1] { return sumPerChannel(src, to: target) }
    let key = PrimitiveKey("reduce.sum", layouts: [src.layout, target])
    let prim = try! PrimitiveCache.shared.primitive(key) {
        var desc = dnnl_reduction_desc_t()
        var s = src.layout.desc, d = target.desc
        try dnnlCheck(dnnl_reduction_desc_init(&desc, dnnl_reduction_sum, &s, &d, 0, 0), "reduction desc")
        return try makePD(desc, "sum \(src.layout.dims) to \(target.dims)")
    }
    let dst = Storage(layout: target)
    prim.execute([DNNL_ARG_SRC: src, DNNL_ARG_DST: dst])
    return dst
}

/// (N, C, H, W) -> (N, C, 1, 1) sums through oneDNN's average pooling, which has fast kernels for
/// blocked layouts where the generic reduction has none (squeeze-excite backward).
private func sumOverImage(_ src: Storage, to target: Layout) -> Storage {
    let d = src.layout.dims
    let key = PrimitiveKey("reduce.image", layouts: [src.layout, target])
    let prim = try! PrimitiveCache.shared.primitive(key) {
        var desc = dnnl_pooling_v2_desc_t()
        var s = src.layout.desc, t = target.desc
        let hw: [dnnl_dim_t] = [dnnl_dim_t(d[2]), dnnl_dim_t(d[3])], zero: [dnnl_dim_t] = [0, 0], one: [dnnl_dim_t] = [1, 1]
        try dnnlCheck(dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, dnnl_pooling_avg_include_padding,
                                                        &s, &t, one, hw, zero, zero, zero), "image-sum pooling desc")
        return try makePD(desc, "sum over \(d) to \(target.dims)")
    }
    let dst = Storage(layout: target)
    prim.execute([DNNL_ARG_SRC: src, DNNL_ARG_DST: dst])
    let area = Float(d[2] * d[3])
    for i in 0..<dst.floatCount { dst.floats[i] *= area }
    return dst
}

/// (N, C, H, W) -> (1, C, 1, 1), a per-channel bias's or scale's gradient. oneDNN 2.6's generic
/// reduction has no fast kernel for it. A channels-last buffer is a (N * H * W, C) matrix whose
/// columns are summed here; any other layout is summed over each image by pooling first, leaving
/// N values per channel.
private func sumPerChannel(_ src: Storage, to target: Layout) -> Storage {
    let d = src.layout.dims, channels = d[1]
    let rows: Int, columns: UnsafeMutablePointer<Float>, keep: Storage
    if src.layout.isChannelsLast {
        (rows, columns, keep) = (d[0] * d[2] * d[3], src.floats, src)
    } else {
        let perImage = sumOverImage(src, to: .plain([d[0], channels, 1, 1]))
        (rows, columns, keep) = (d[0], perImage.floats, perImage)
    }
    var sums = [Double](repeating: 0, count: channels)
    withExtendedLifetime(keep) {
        for r in 0..<rows {
            let row = columns + r * channels
            for c in 0..<channels { sums[c] += Double(row[c]) }
        }
    }
    let out = Storage(layout: .plain([1, channels, 1, 1]))
    for c in 0..<channels { out.floats[c] = Float(sums[c]) }
    return out.reordered(to: target)
}
