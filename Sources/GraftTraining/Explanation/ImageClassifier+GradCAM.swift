import GraftCore
import GraftData
import GraftModels

extension ImageClassifier {
    /// Grad-CAM of each image for `classes` (one per image; nil: the predicted class): the
    /// gradient of the class's logit with respect to the backbone's last feature map A, averaged
    /// over the map's cells to one weight per channel, then ReLU of the weighted sum of A's
    /// channels, scaled to [0, 1]. The backbone runs once without gradients; only the head is
    /// differentiated, from the feature map on, through the same autodiff as training.
    public func gradCAM(_ images: [RGBImage], classes: [Int]? = nil) -> [ClassActivationMap] {
        precondition(classes.map { $0.count == images.count } ?? true, "one class per image")
        let transform = ImageTransform(preprocessing: preprocessing)
        let batch = Tensor(shape: [images.count, 3, preprocessing.height, preprocessing.width],
                           values: images.flatMap { transform.render($0, seed: 0) })
        let map = GradMode.withoutGradients { backbone.featureMap(batch, context: .inference) }
        return gradCAM(featureMap: map.shape, values: map.values, classes: classes)
    }

    /// Grad-CAM from a feature map (N, C, h, w) already computed: what `gradCAM(_:classes:)`
    /// does after the backbone, for tests and callers that hold the map.
    public func gradCAM(featureMap shape: [Int], values: [Float], classes: [Int]? = nil) -> [ClassActivationMap] {
        let (n, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let (gradients, chosen) = featureMapGradients(shape: shape, values: values, classes: classes)
        let cells = height * width
        return (0..<n).map { i in
            var cam = [Float](repeating: 0, count: cells)
            for k in 0..<channels {
                let base = (i * channels + k) * cells
                let weight = gradients[base..<(base + cells)].reduce(0, +) / Float(cells)
                for j in 0..<cells { cam[j] += weight * values[base + j] }
            }
            cam = cam.map { max($0, 0) }
            let top = cam.max() ?? 0
            if top > 0 { cam = cam.map { $0 / top } }
            return ClassActivationMap(width: width, height: height, values: cam, classIndex: chosen[i])
        }
    }

    /// The gradient of each image's chosen class logit (nil: the predicted class) with respect to
    /// the feature map (N, C, h, w), row-major, and the classes chosen.
    func featureMapGradients(shape: [Int], values: [Float], classes: [Int]?) -> (gradients: [Float], classes: [Int]) {
        let leaf = Tensor(shape: shape, values: values, requiresGrad: true)
        let logits = head(headConfiguration.pooling(leaf), context: .inference)
        let (n, k) = (shape[0], logits.shape[1])
        let rows = logits.values
        let chosen = classes ?? (0..<n).map { i in predictedClass(rows[(i * k)..<((i + 1) * k)].map(Double.init)) }
        // Seeding backward with a one-hot row per image gives each image its own class's gradient.
        // A sigmoid head's logits are [0, z]: the first class's evidence is -z.
        let twoClass = headConfiguration.output == .sigmoid
        var seed = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            if twoClass { seed[i * k + 1] = chosen[i] == 0 ? -1 : 1 } else { seed[i * k + chosen[i]] = 1 }
        }
        logits.backward(gradient: Tensor(shape: [n, k], values: seed))
        return (leaf.grad?.values ?? [Float](repeating: 0, count: values.count), chosen)
    }
}
