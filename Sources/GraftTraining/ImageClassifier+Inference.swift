import GraftModels
import GraftNN

extension InferenceExecutor {
    /// An executor that owns `classifier`: inputs of its preprocessing's size, images
    /// preprocessed by its rule, logits over its classes divided by its calibration's temperature
    /// (so their softmax is what `predict` reports).
    public convenience init(classifier: ImageClassifier, maxBatchSize: Int? = nil,
                            fusion: Bool = LayerFusion.isEnabledByDefault) {
        let preprocessing = classifier.preprocessing
        self.init(model: classifier.calibratedInference, inputShape: [3, preprocessing.height, preprocessing.width], preprocessing: preprocessing,
                  maxBatchSize: maxBatchSize, fusion: fusion)
    }
}
