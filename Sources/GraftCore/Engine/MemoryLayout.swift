import CDNNL

/// A oneDNN memory descriptor: logical dimensions plus the physical layout (plain row-major, or a
/// blocked layout such as nChw16c that oneDNN's kernels prefer).
public struct Layout {
    var desc: dnnl_memory_desc_t

    init(desc: dnnl_memory_desc_t) { self.desc = desc }

    /// Row-major ("abcd") float32 layout of the given logical shape.
    static func plain(_ dims: [Int]) -> Layout {
        Layout(tagged: dims, tag: plainTag(rank: dims.count))
    }

    /// (N, C, H, W) stored as N, H, W, C ("nhwc"): each pixel's channels contiguous, so the buffer
    /// is also a plain (N * H * W, C) matrix of pixel rows.
    static func channelsLast(_ dims: [Int]) -> Layout {
        precondition(dims.count == 4, "channels-last layouts are 4-D, not \(dims)")
        return Layout(tagged: dims, tag: dnnl_nhwc)
    }

    /// A placeholder that lets a primitive pick the layout it runs fastest on.
    static func any(_ dims: [Int]) -> Layout {
        Layout(tagged: dims, tag: dnnl_format_tag_any)
    }

    init(tagged dims: [Int], tag: dnnl_format_tag_t) {
        var desc = dnnl_memory_desc_t()
        var d = dnnlDims(dims)
        dnnlMust(dnnl_memory_desc_init_by_tag(&desc, Int32(dims.count), &d.0, dnnl_f32, tag),
                 "dnnl_memory_desc_init_by_tag(\(dims))")
        self.desc = desc
    }

    var dims: [Int] { fromDnnlDims(desc.dims, count: Int(desc.ndims)) }

    /// Bytes the buffer needs, padding included.
    var byteCount: Int { withUnsafePointer(to: desc) { dnnl_memory_desc_get_size($0) } }

    var isPlain: Bool { self == Layout.plain(dims) }

    var isChannelsLast: Bool { dims.count == 4 && self == Layout.channelsLast(dims) }

    /// A blocked layout (channels in blocks of 8 or 16) may carry zero padding past the last
    /// channel; element-wise code on the raw buffer must keep that padding at zero.
    var isBlocked: Bool { desc.format_kind == dnnl_blocked && desc.format_desc.blocking.inner_nblks > 0 }

    /// Whether the buffer holds elements past the logical dims (channels rounded up to a block).
    var hasPadding: Bool {
        fromDnnlDims(desc.padded_dims, count: Int(desc.ndims)) != dims
    }

    /// The channel block size of a layout like nChw8c / nChw16c (blocked on dim 1 only), or nil.
    var channelBlock: Int? {
        let b = desc.format_desc.blocking
        guard desc.format_kind == dnnl_blocked, b.inner_nblks == 1, b.inner_idxs.0 == 1 else { return nil }
        // The outer dims must be n, C/block, h, w in that order for the kernels that use this.
        let expected = Layout(tagged: dims, tag: b.inner_blks.0 == 16 ? dnnl_aBcd16b : dnnl_aBcd8b)
        guard dims.count == 4, b.inner_blks.0 == 8 || b.inner_blks.0 == 16, self == expected else { return nil }
        return Int(b.inner_blks.0)
    }

    /// A hashable fingerprint, for keying cached primitives.
    var key: LayoutKey {
        let b = desc.format_desc.blocking
        var ints = [Int(desc.ndims), Int(desc.format_kind.rawValue), Int(desc.data_type.rawValue)]
        let n = Int(desc.ndims)
        ints += fromDnnlDims(desc.dims, count: n)
        ints += fromDnnlDims(desc.padded_dims, count: n)
        ints += fromDnnlDims(desc.padded_offsets, count: n)
        ints.append(Int(desc.offset0))
        if desc.format_kind == dnnl_blocked {
            ints += fromDnnlDims(b.strides, count: n)
            ints.append(Int(b.inner_nblks))
            ints += fromDnnlDims(b.inner_blks, count: Int(b.inner_nblks))
            ints += fromDnnlDims(b.inner_idxs, count: Int(b.inner_nblks))
        }
        ints.append(Int(desc.extra.flags))
        return LayoutKey(ints: ints)
    }
}

extension Layout: Equatable {
    public static func == (a: Layout, b: Layout) -> Bool {
        withUnsafePointer(to: a.desc) { pa in
            withUnsafePointer(to: b.desc) { pb in dnnl_memory_desc_equal(pa, pb) != 0 }
        }
    }
}

struct LayoutKey: Hashable {
    let ints: [Int]
}

func plainTag(rank: Int) -> dnnl_format_tag_t {
    switch rank {
    case 1: return dnnl_a
    case 2: return dnnl_ab
    case 3: return dnnl_abc
    case 4: return dnnl_abcd
    case 5: return dnnl_abcde
    case 6: return dnnl_abcdef
    default: preconditionFailure("tensors of rank \(rank) are not supported (1 to 6)")
    }
}

func dnnlDims(_ values: [Int]) -> dnnl_dims_t {
    precondition(values.count <= Int(DNNL_MAX_NDIMS))
    var dims: dnnl_dims_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &dims) { raw in
        let p = raw.bindMemory(to: dnnl_dim_t.self)
        for (i, v) in values.enumerated() { p[i] = dnnl_dim_t(v) }
    }
    return dims
}

func fromDnnlDims(_ dims: dnnl_dims_t, count: Int) -> [Int] {
    withUnsafeBytes(of: dims) { raw in
        let p = raw.bindMemory(to: dnnl_dim_t.self)
        return (0..<count).map { Int(p[$0]) }
    }
}
