import GraftCore
import GraftNN

extension ImageClassifier {
    /// What predictions divide the logits by: the calibration's temperature, else 1.
    public var temperature: Double { calibration?.temperature ?? 1 }

    /// `logits(_:)` divided by the temperature: the logits whose softmax is what `predict`,
    /// `evaluate`, `graft serve` and an exported ONNX file report.
    public func calibratedLogits(_ images: Tensor) -> Tensor { calibrated(logits(images)) }

    /// `logits` (N, classes) divided by the temperature; the same tensor when T = 1.
    public func calibrated(_ logits: Tensor) -> Tensor {
        temperature == 1 ? logits : Tensor(shape: logits.shape, values: calibrated(logits.values))
    }

    /// Row-major logits divided by the temperature.
    public func calibrated(_ logits: [Float]) -> [Float] { temperatureScaled(logits, by: temperature) }

    /// The classifier's inference pass with its calibration applied, as a module: what an
    /// `InferenceExecutor` (and so `graft serve`) runs.
    public var calibratedInference: Module { CalibratedInference(self) }
}

/// Each logit divided by `temperature` in single precision, the division ONNX's `Div` performs on
/// an exported graph, so Graft and ONNX Runtime give the same numbers; T = 1 leaves them as they are.
public func temperatureScaled(_ logits: [Float], by temperature: Double) -> [Float] {
    guard temperature != 1 else { return logits }
    let t = Float(temperature)
    return logits.map { $0 / t }
}

/// A classifier's forward pass followed by its temperature.
private final class CalibratedInference: Module {
    let classifier: ImageClassifier

    init(_ classifier: ImageClassifier) {
        self.classifier = classifier
        super.init()
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        classifier.calibrated(classifier(x, context: context))
    }
}
