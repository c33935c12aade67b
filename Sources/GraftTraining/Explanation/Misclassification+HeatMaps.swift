import GraftData

extension Misclassification {
    /// `mistakes` with the heat maps of their predicted classes as thumbnails whose longer side
    /// is `thumbnailSize` (a mistake whose file cannot be read keeps none).
    static func withHeatMaps(_ mistakes: [Misclassification], classifier: ImageClassifier,
                             thumbnailSize: Int) -> [Misclassification] {
        guard thumbnailSize > 0, !mistakes.isEmpty else { return mistakes }
        var result = mistakes
        let readable = mistakes.indices.compactMap { i in (try? ImageDecoder.decode(contentsOf: mistakes[i].file)).map { (i, $0) } }
        let transform = ImageTransform(preprocessing: classifier.preprocessing)
        for start in stride(from: 0, to: readable.count, by: 16) {
            let chunk = readable[start..<min(start + 16, readable.count)]
            let maps = classifier.gradCAM(chunk.map(\.1), classes: chunk.map { mistakes[$0.0].predictedLabel })
            for ((i, image), map) in zip(chunk, maps) {
                result[i].heatMap = try? Thumbnail.dataURI(of: map.overlay(on: transform.evaluationView(image)), maxSide: thumbnailSize)
            }
        }
        return result
    }
}
