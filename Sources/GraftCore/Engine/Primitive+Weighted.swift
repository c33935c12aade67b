import CDNNL

extension Primitive {
    /// Runs a primitive that reads a source, a weight and an optional bias (a convolution or an
    /// inner product, `extra` for its post-ops' operands) into a new output. The weight comes in the
    /// layout the primitive wants, reordered once per version of the tensor (`cachedStorage`).
    func run(src: Storage, weight: Tensor, bias: Tensor?, extra: [Int32: Storage] = [:]) -> Storage {
        let dst = output(DNNL_ARG_DST)
        var args: [Int32: Storage] = [DNNL_ARG_SRC: src, DNNL_ARG_WEIGHTS: weight.cachedStorage(in: layout(of: DNNL_ARG_WEIGHTS)),
                                      DNNL_ARG_DST: dst]
        if let bias { args[DNNL_ARG_BIAS] = bias.storage }
        execute(args.merging(extra) { $1 })
        return dst
    }
}
