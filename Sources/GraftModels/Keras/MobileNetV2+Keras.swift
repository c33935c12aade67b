extension MobileNetV2: KerasBuilt {
    /// Keras' names: Conv1, expanded_conv_* (the first block, without expansion), block_N_*
    /// (expand, depthwise, project, each with its _BN), Conv_1, predictions.
    public var kerasVariables: [KerasVariable] {
        var variables = KerasVariable.convolution("Conv1", "features.0.0", bias: false) + KerasVariable.batchNorm("bn_Conv1", "features.0.1")
        let blocks = body.children.count - 2
        for block in 1...blocks {
            let keras = block == 1 ? "expanded_conv_" : "block_\(block - 1)_", graft = "features.\(block).conv."
            let depthwise = block == 1 ? 0 : 1
            if block > 1 {
                variables += KerasVariable.convolution(keras + "expand", graft + "0.0", bias: false)
                    + KerasVariable.batchNorm(keras + "expand_BN", graft + "0.1")
            }
            variables += KerasVariable.depthwise(keras + "depthwise", graft + "\(depthwise).0")
                + KerasVariable.batchNorm(keras + "depthwise_BN", graft + "\(depthwise).1")
                + KerasVariable.convolution(keras + "project", graft + "\(depthwise + 1)", bias: false)
                + KerasVariable.batchNorm(keras + "project_BN", graft + "\(depthwise + 2)")
        }
        return variables
            + KerasVariable.convolution("Conv_1", "features.\(blocks + 1).0", bias: false)
            + KerasVariable.batchNorm("Conv_1_bn", "features.\(blocks + 1).1")
            + KerasVariable.dense("predictions", "classifier.1")
    }
}
