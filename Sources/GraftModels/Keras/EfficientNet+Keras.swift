import GraftData

extension EfficientNet: KerasBuilt {
    /// Keras' names: stem_conv, block{stage}{a, b, ...}_ with expand_conv, dwconv, bn,
    /// se_reduce, se_expand and project_conv (each convolution with its _bn), top_conv, predictions.
    public var kerasVariables: [KerasVariable] {
        var variables = KerasVariable.convolution("stem_conv", "features.0.0", bias: false)
            + KerasVariable.batchNorm("stem_bn", "features.0.1")
        var specs = Self.blockSpecs(variant).makeIterator()
        for (stage, depth) in stageSizes.enumerated() {
            for block in 0..<depth {
                let spec = specs.next()!
                let keras = "block\(stage + 1)\(Character(UnicodeScalar(UInt8(97 + block))))_"
                let graft = "features.\(stage + 1).\(block).block."
                let depthwise = spec.expandedChannels == spec.inChannels ? 0 : 1
                if depthwise == 1 {
                    variables += KerasVariable.convolution(keras + "expand_conv", graft + "0.0", bias: false)
                        + KerasVariable.batchNorm(keras + "expand_bn", graft + "0.1")
                }
                variables += KerasVariable.depthwise(keras + "dwconv", graft + "\(depthwise).0")
                    + KerasVariable.batchNorm(keras + "bn", graft + "\(depthwise).1")
                    + KerasVariable.convolution(keras + "se_reduce", graft + "\(depthwise + 1).fc1")
                    + KerasVariable.convolution(keras + "se_expand", graft + "\(depthwise + 1).fc2")
                    + KerasVariable.convolution(keras + "project_conv", graft + "\(depthwise + 2).0", bias: false)
                    + KerasVariable.batchNorm(keras + "project_bn", graft + "\(depthwise + 2).1")
            }
        }
        let top = "features.\(stageSizes.count + 1)"
        return variables + KerasVariable.convolution("top_conv", top + ".0", bias: false)
            + KerasVariable.batchNorm("top_bn", top + ".1") + KerasVariable.dense("predictions", "classifier.1")
    }

    /// Keras' ImageNet weights carry the normalization layer's mean and "variance". The variance
    /// holds the standard deviations (a slip Keras makes up for with a fixed rescaling after the
    /// layer; tensorflow/tensorflow issue 49930), so the network's inputs are
    /// (x / 255 - mean) / std: `Preprocessing`'s ImageNet normalization.
    public var kerasConstants: [KerasConstant] {
        guard case let .meanStd(mean, std) = Normalization.imageNet else { return [] }
        return [KerasConstant(layer: "normalization", role: "mean", index: 0, values: mean, meaning: "ImageNet's mean"),
                KerasConstant(layer: "normalization", role: "variance", index: 1, values: std,
                              meaning: "ImageNet's standard deviations, as Keras' ImageNet weights store them")]
    }
}
