import CDNNL

/// Several images of a batch side by side as one wide image, for an inference convolution on a
/// narrow feature map.
///
/// oneDNN 2.6's AVX2 direct convolution blocks its work along the output width; a 7- or 14-pixel
/// row leaves its registers half used, and ResNet's and VGG's last 3x3 convolutions (7x7 and
/// 14x14 maps, 256 to 512 channels) run at 60-85% of the speed the same kernel reaches on wide
/// maps. Placed next to each other with `pad` zero columns between them, B images make one image
/// B times as wide whose "same" convolution is, column for column, each image's own: every window
/// that crosses an image's edge reads zeros, as the image's own padding would give. The columns
/// between the images are computed and thrown away (1 in 8 for 7-pixel maps).
///
/// Only for stride 1, no dilation, no groups, padding that keeps the size, channels in whole
/// blocks of a channel-blocked layout, and where oneDNN would run `jit:avx2`.
struct WidthFolding {
    let original: ConvGeometry
    let folded: ConvGeometry
    let imagesPerRow: Int
    let block: Int

    /// Maps at most this wide are folded, into rows of about `targetWidth` columns.
    static let maxWidth = 14, targetWidth = 64, minChannels = 256

    init?(_ g: ConvGeometry, block: Int) {
        let p = g.pad
        guard g.stride == (1, 1), g.dilation == (1, 1), g.groups == 1, g.kernelW > 1,
              p.left == p.right, p.top == p.bottom, g.outWidth == g.width, g.outHeight == g.height,
              g.width <= Self.maxWidth, min(g.inChannels, g.outChannels) >= Self.minChannels,
              g.inChannels % block == 0, g.outChannels % block == 0 else { return nil }
        // The largest B dividing the batch with B images per row about targetWidth wide.
        let fit = max(1, (Self.targetWidth + p.left) / (g.width + p.left))
        guard let b = stride(from: min(fit, g.batch), through: 2, by: -1).first(where: { g.batch % $0 == 0 }) else { return nil }
        original = g
        imagesPerRow = b
        self.block = block
        folded = ConvGeometry(batch: g.batch / b, inChannels: g.inChannels, height: g.height, width: b * (g.width + p.left) - p.left,
                              outChannels: g.outChannels, kernelH: g.kernelH, kernelW: g.kernelW, groups: 1,
                              stride: g.stride, dilation: g.dilation, pad: p, hasBias: g.hasBias)
    }

    /// (N, C, H, W) blocked -> (N / B, C, H, B * (W + pad) - pad) blocked, zero between the images.
    func fold(_ src: Storage, channels: Int) -> Storage {
        let out = Storage(layout: blockedLayout([folded.batch, channels, folded.height, folded.width]), zeroed: true)
        copyRows(channels: channels, from: src, to: out, folding: true)
        return out
    }

    /// The inverse of `fold` for the output: each image's columns, the ones between dropped.
    func unfold(_ src: Storage, channels: Int) -> Storage {
        let out = Storage(layout: blockedLayout([original.batch, channels, original.height, original.width]))
        copyRows(channels: channels, from: src, to: out, folding: false)
        return out
    }

    func blockedLayout(_ dims: [Int]) -> Layout { Layout(tagged: dims, tag: block == 16 ? dnnl_aBcd16b : dnnl_aBcd8b) }

    /// In nChw8c / nChw16c each (image, channel block, row) is `width * block` contiguous floats.
    private func copyRows(channels: Int, from src: Storage, to dst: Storage, folding: Bool) {
        let (height, width, wide) = (original.height, original.width, folded.width)
        let blocks = channels / block, rowFloats = width * block
        let gap = original.pad.left
        for n in 0..<original.batch {
            let (group, slot) = n.quotientAndRemainder(dividingBy: imagesPerRow)
            for cb in 0..<blocks {
                for h in 0..<height {
                    let narrow = ((n * blocks + cb) * height + h) * rowFloats
                    let wideOffset = (((group * blocks + cb) * height + h) * wide + slot * (width + gap)) * block
                    let (from, to) = folding ? (narrow, wideOffset) : (wideOffset, narrow)
                    (dst.floats + to).update(from: src.floats + from, count: rowFloats)
                }
            }
        }
    }
}

extension WidthFolding {
    /// `conv2dInference`'s fused primitive run on the folded batch, or nil where folding does not
    /// apply: the map is not narrow, oneDNN would not run its AVX2 direct kernel on it anyway, or
    /// it would not take and give the channel-blocked layout.
    static func run(_ g: ConvGeometry, src: Storage, weight: Tensor, bias: Tensor?, residual: Storage?,
                    activation: Activation?) -> Storage? {
        guard let folding = WidthFolding(g, block: Tensor.inferenceChannelBlock),
              let plain = ConvPrimitives.fused(g, ConvEpilogue(residual: residual.map { _ in folding.blockedLayout(g.dstDims) },
                                                              activation: activation)),
              plain.implementation == "jit:avx2" else { return nil }
        let f = folding.folded
        let (srcLayout, dstLayout) = (folding.blockedLayout(f.srcDims), folding.blockedLayout(f.dstDims))
        guard let fwd = ConvPrimitives.fused(f, ConvEpilogue(residual: residual.map { _ in dstLayout }, activation: activation)),
              fwd.layout(of: DNNL_ARG_SRC) == srcLayout, fwd.layout(of: DNNL_ARG_DST) == dstLayout else { return nil }
        let foldedResidual = residual.map { folding.fold($0.reordered(to: folding.blockedLayout(g.dstDims)), channels: g.outChannels) }
        let dst = fwd.run(src: folding.fold(src.reordered(to: folding.blockedLayout(g.srcDims)), channels: g.inChannels),
                          weight: weight, bias: bias, extra: foldedResidual.map { [ConvEpilogue.residualArgument: $0] } ?? [:])
        return folding.unfold(dst, channels: g.outChannels)
    }
}
