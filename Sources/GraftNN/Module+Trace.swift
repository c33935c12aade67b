import GraftCore

extension Module {
    /// One inference pass of this module on `input`, without gradients, traced: every op as it ran
    /// (fused or not, as `context.fusion` says) with constants named by this module's keys.
    public func traceInference(_ input: Tensor, context: ForwardContext = ForwardContext(training: false))
        -> (output: Tensor, trace: InferenceTrace) {
        InferenceTrace.capture(inputs: [input], names: stateTensors()) {
            GradMode.withoutGradients { self(input, context: context) }
        }
    }
}
