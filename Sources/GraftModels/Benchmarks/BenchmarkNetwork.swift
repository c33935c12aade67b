import GraftCore
import GraftNN

/// The network `ModelBenchmark` times: a backbone with random weights and a new head on its
/// pooled features, as one module (keys "backbone.*" and "head.*"), so that the model a benchmark
/// measures can also be exported and timed in another runtime.
public final class BenchmarkNetwork: Module {
    public let backbone: any Backbone
    public let head: Linear

    init(backbone: any Backbone, head: Linear) {
        self.backbone = backbone
        self.head = head
        super.init()
        registerChild("backbone", backbone)
        registerChild("head", head)
    }

    /// The inference the benchmark's `.inference` mode times: features, then the head.
    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        head(backbone.features(x, context: context), context: context)
    }
}

extension ModelBenchmark {
    /// The network every mode runs (the same weights on every call).
    public func makeNetwork() -> BenchmarkNetwork {
        var generator = SeededGenerator(seed: 1)
        return makeNetwork(generator: &generator)
    }

    /// The backbone, and the head drawn from `generator`, which the step's data then continue.
    func makeNetwork(generator: inout SeededGenerator) -> BenchmarkNetwork {
        let model = backbone.make()
        return BenchmarkNetwork(backbone: model, head: Linear(inFeatures: model.featureWidth, outFeatures: classes, generator: &generator))
    }
}
