import Foundation
import GraftCore
import GraftData

extension Backbone {
    /// The top `k` classes of each image, with `classes` naming the model's outputs. Images are
    /// preprocessed the way the model's weights expect, and run in batches of `batchSize`.
    public func classify(_ images: [RGBImage], classes: [String], top k: Int = 5, batchSize: Int = 16) -> [[Prediction]] {
        let transform = ImageTransform(preprocessing: preprocessing)
        let (h, w) = (preprocessing.height, preprocessing.width)
        var results: [[Prediction]] = []
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let chunk = images[start..<min(start + batchSize, images.count)]
            let pixels = chunk.flatMap { transform.render($0, seed: 0) }
            let input = Tensor(shape: [chunk.count, 3, h, w], values: pixels)
            let logits = GradMode.withoutGradients { self(input, context: .inference) }
            results += topPredictions(logits: logits.values, classes: classes, k: k)
        }
        return results
    }
}
