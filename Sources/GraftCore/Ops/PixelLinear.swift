import CDNNL

/// A Linear layer applied to every pixel of `x` (N, C, H, W): `weight` (O, C), PyTorch's
/// `nn.Linear` layout, and `bias` (O); the result is (N, O, H, W). This is the Linear inside
/// ConvNeXt's blocks, which torchvision applies to the channels-last tensor.
///
/// Everything runs on channels-last buffers, which are (N * H * W, C) matrices of pixel rows, and
/// the result stays channels-last: no reorders between the LayerNorm before it and the layer after
/// it. On AVX2, oneDNN 2.6's 1x1 convolution on those buffers is the fastest forward pass it has
/// for ConvNeXt's shapes, and its inner product (GEMM) the fastest backward passes; both beat the
/// 1x1 convolution on the blocked layout for most of them. Traced as the 1x1 convolution it equals.
public func pixelLinear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    let p = PixelRows(x, weight: weight, bias: bias)
    let src = x.storage.reordered(to: p.input)
    let dst = p.forward(src, weight: weight, bias: bias, training: true)!

    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    let needsInputGrad = x.requiresGrad, needsWeightGrad = weight.requiresGrad || bias?.requiresGrad == true
    let inputCount = inputs.count
    let result = record("pixelLinear", output: dst, inputs: inputs) { dy in
        let rows = Storage(aliasing: dy.reordered(to: p.output), as: .plain(p.product.dstDims))
        let grads = p.product.gradients(rows, weight: weight, needsInput: needsInputGrad,
                                        src: needsWeightGrad ? Storage(aliasing: src, as: .plain(p.product.srcDims)) : nil)
        return Array([grads.input.map { Storage(aliasing: $0, as: p.input) },
                      weight.requiresGrad ? grads.weight : nil, grads.bias].prefix(inputCount))
    }
    return traced(result, inputs: [x, weight, bias]) { ids in p.trace(ids, weight: weight, bias: bias, activation: nil) }
}

/// `pixelLinear` with an activation applied inside the same primitive, for forward passes that
/// need no gradient (inference, frozen blocks). Falls back to separate ops where oneDNN has only
/// a reference kernel for the combination.
public func pixelLinearInference(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: Activation? = nil) -> Tensor {
    precondition(!GradMode.isEnabled || ![x, weight, bias].contains { $0?.requiresGrad == true },
                 "pixelLinearInference computes no gradient; use pixelLinear for inputs that need one")
    let p = PixelRows(x, weight: weight, bias: bias)
    guard let dst = p.forward(x.storage.reordered(to: p.input), weight: weight, bias: bias, training: false, activation: activation) else {
        let y = pixelLinearInference(x, weight: weight, bias: bias)
        return activation.map { GraftCore.activation(y, $0) } ?? y
    }
    return traced(Tensor(storage: dst, shape: p.output.dims), inputs: [x, weight, bias]) { ids in
        p.trace(ids, weight: weight, bias: bias, activation: activation)
    }
}

/// One `pixelLinear` shape: the channels-last layouts of its input and output, the 1x1
/// convolution its forward pass runs and the inner product over the pixel rows its backward runs.
private struct PixelRows {
    let geometry: ConvGeometry
    let product: InnerProduct
    let input: Layout, output: Layout

    init(_ x: Tensor, weight: Tensor, bias: Tensor?) {
        precondition(x.shape.count == 4, "pixelLinear input must be (N, C, H, W), not \(x.shape)")
        precondition(weight.shape.count == 2 && weight.shape[1] == x.shape[1],
                     "pixelLinear: weight \(weight.shape) does not take \(x.shape[1]) channels")
        let (n, h, w, out) = (x.shape[0], x.shape[2], x.shape[3], weight.shape[0])
        if let bias { precondition(bias.shape == [out], "pixelLinear: bias \(bias.shape) should be [\(out)]") }
        geometry = ConvGeometry(x, weight: weight, bias: bias, stride: (1, 1), padding: .valid, dilation: (1, 1), groups: 1)
        product = InnerProduct(rows: n * h * w, inFeatures: x.shape[1], outFeatures: out, hasBias: bias != nil)
        (input, output) = (.channelsLast(x.shape), .channelsLast([n, out, h, w]))
    }

    /// The output, channels-last; nil when oneDNN has only a reference kernel for the activation.
    func forward(_ src: Storage, weight: Tensor, bias: Tensor?, training: Bool, activation: Activation? = nil) -> Storage? {
        let prop = training ? dnnl_forward_training : dnnl_forward_inference
        let key = PrimitiveKey(activation == nil ? "pixel.fwd" : "pixel.fused", ints: geometry.ints + [Int(prop.rawValue), PostOp.key(activation)])
        let primitive = PrimitiveCache.shared.primitiveIfSupported(key, accept: { !$0.isReferenceKernel || activation == nil }) {
            var desc = dnnl_convolution_desc_t()
            var s = input.desc, wts = Layout.any(geometry.weightDims).desc, d = output.desc
            var b = Layout.plain([product.outFeatures]).desc
            try withOptionalPointer(bias == nil ? nil : b, &b) { bp in
                try dnnlCheck(dnnl_convolution_forward_desc_init(&desc, prop, dnnl_convolution_direct, &s, &wts, bp, &d,
                                                                 geometry.dnnlStrides, geometry.padL, geometry.padR),
                              "channels-last 1x1 convolution desc")
            }
            return try withPostOps(activation.map { [PostOp.activation($0)] } ?? []) { attr in
                try makePD(desc, attr: attr, "pixel linear \(geometry.srcDims) -> \(geometry.dstDims)")
            }
        }
        return primitive?.run(src: src, weight: weight, bias: bias)
    }

    func trace(_ ids: TraceIDs, weight: Tensor, bias: Tensor?, activation: Activation?) -> TraceOp {
        .convolution(geometry.traced(weight: ids[weight], bias: bias.map { ids[$0] }),
                     postOps: activation.map { [TraceOp.PostOp.activation($0)] } ?? [])
    }
}
