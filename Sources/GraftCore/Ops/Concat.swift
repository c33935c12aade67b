import CDNNL

/// Joins (N, C_i, H, W) tensors along the channels.
public func concatChannels(_ tensors: [Tensor]) -> Tensor {
    precondition(!tensors.isEmpty, "concatChannels needs at least one tensor")
    let first = tensors[0].shape
    for t in tensors {
        precondition(t.shape.count == first.count && t.shape.count >= 2 && t.shape[0] == first[0]
                     && Array(t.shape.dropFirst(2)) == Array(first.dropFirst(2)),
                     "concatChannels: \(t.shape) does not match \(first) outside the channel dimension")
    }
    let sources = tensors.map(\.storage)
    let key = PrimitiveKey("concat", layouts: sources.map(\.layout))
    let prim = try! PrimitiveCache.shared.primitive(key) {
        var pd: dnnl_primitive_desc_t?
        var descs = sources.map(\.layout.desc)
        try withUserScratchpad(nil) { attr in
            try dnnlCheck(dnnl_concat_primitive_desc_create(&pd, nil, Int32(descs.count), 1, &descs, attr, Engine.shared.engine),
                          "concat of \(tensors.map(\.shape))")
        }
        return pd!
    }
    let dst = prim.output(DNNL_ARG_DST)
    var args: [Int32: Storage] = [DNNL_ARG_DST: dst]
    for (i, s) in sources.enumerated() { args[DNNL_ARG_MULTIPLE_SRC + Int32(i)] = s }
    prim.execute(args)

    let channels = tensors.map { $0.shape[1] }, needs = tensors.map(\.requiresGrad)
    let result = record("concatChannels", output: dst, inputs: tensors) { dy in
        // Slices whose channels start and end on block boundaries come straight out of a blocked
        // gradient, in its layout (DenseNet's 32-channel pieces): no plain copy of the whole
        // gradient per layer, and each slice already in the layout its producer's backward reads.
        let keepsBlocks = dy.layout.channelBlock.map { block in channels.allSatisfy { $0 % block == 0 } } ?? false
        let full = keepsBlocks ? dy : dy.reordered(to: .plain(dy.layout.dims))
        var offset = 0
        return needs.indices.map { i in
            defer { offset += channels[i] }
            guard needs[i] else { return nil }
            return channelSlice(full, offset: offset, count: channels[i])
        }
    }
    return traced(result, inputs: tensors) { _ in .concat(axis: 1) }
}

/// Channels [offset, offset + count) of a plain tensor, or of a channel-blocked one where both lie
/// on block boundaries, as a new tensor in the same layout family.
private func channelSlice(_ full: Storage, offset: Int, count: Int) -> Storage {
    var dims = full.layout.dims
    dims[1] = count
    var sub = dnnl_memory_desc_t()
    var parent = full.layout.desc
    var offsets = [dnnl_dim_t](repeating: 0, count: dims.count)
    offsets[1] = dnnl_dim_t(offset)
    dnnlMust(dnnl_memory_desc_init_submemory(&sub, &parent, dnnlDimsArray(dims), offsets), "submemory")
    let view = Storage(aliasing: full, as: Layout(desc: sub))
    let out = Storage(layout: layoutLike(full.layout, dims: dims))
    Reorder.run(from: view, to: out)
    return out
}

func dnnlDimsArray(_ dims: [Int]) -> [dnnl_dim_t] { dims.map { dnnl_dim_t($0) } }
