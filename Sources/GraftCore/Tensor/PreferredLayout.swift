import CDNNL

extension Tensor {
    /// The channel block oneDNN's kernels use on this CPU: 16 floats with AVX-512, else 8.
    public static var preferredChannelBlock: Int {
        dnnl_get_effective_cpu_isa().rawValue >= dnnl_cpu_isa_avx512_core.rawValue ? 16 : 8
    }

    /// A copy of a 4-D tensor in the channel-blocked layout that convolutions produce, with no
    /// gradient record: for feeding data the way a network's inner layers see it.
    public func blocked() -> Tensor {
        precondition(shape.count == 4, "blocked() needs an (N, C, H, W) tensor, not \(shape)")
        let layout = Layout(tagged: shape, tag: Tensor.preferredChannelBlock == 16 ? dnnl_aBcd16b : dnnl_aBcd8b)
        return Tensor(storage: storage.reordered(to: layout), shape: shape, requiresGrad: requiresGrad)
    }
}
