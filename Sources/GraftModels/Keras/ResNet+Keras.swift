extension ResNet: KerasBuilt {
    /// Keras' names: conv1_conv, then convS_blockB_K_conv / _bn for stage S (2 to 5), block B
    /// and layer K (0 the projected shortcut, 1 to 3 the bottleneck), then predictions.
    public var kerasVariables: [KerasVariable] {
        var variables = KerasVariable.convolution("conv1_conv", "conv1") + KerasVariable.batchNorm("conv1_bn", "bn1")
        for (stage, count) in depth.blocksPerStage.enumerated() {
            for block in 0..<count {
                let keras = "conv\(stage + 2)_block\(block + 1)_", graft = "layer\(stage + 1).\(block)."
                if block == 0 {
                    variables += KerasVariable.convolution(keras + "0_conv", graft + "downsample.0")
                        + KerasVariable.batchNorm(keras + "0_bn", graft + "downsample.1")
                }
                for k in 1...3 {
                    variables += KerasVariable.convolution(keras + "\(k)_conv", graft + "conv\(k)")
                        + KerasVariable.batchNorm(keras + "\(k)_bn", graft + "bn\(k)")
                }
            }
        }
        return variables + KerasVariable.dense("predictions", "fc")
    }
}
