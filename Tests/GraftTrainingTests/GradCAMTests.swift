import Foundation
import GraftCore
import GraftData
import GraftModels
@testable import GraftTraining
import XCTest

/// Grad-CAM: its gradient against the closed form and finite differences, and its heat map
/// peaking where the object is, on a pretrained backbone trained to tell a red square from a
/// blue one placed anywhere on a noisy grey image.
final class GradCAMTests: TrainingTestCase {
    /// With average pooling and no hidden layer, d logit_c / d A[k, i, j] = W[c, k] / (h w);
    /// with a hidden layer, the gradient matches central differences of the logit.
    func testTheGradientPathIsTheHeadsGradient() throws {
        let classifier = try makeClassifier(dropout: 0)
        let channels = classifier.headInputWidth
        var generator = SeededGenerator(seed: 4)
        let shape = [2, channels, 3, 3]
        let values = (0..<(2 * channels * 9)).map { _ in Float(generator.nextUnitFloat()) * 2 }
        let (gradients, chosen) = classifier.featureMapGradients(shape: shape, values: values, classes: [2, 0])
        XCTAssertEqual(chosen, [2, 0])
        let weight = try XCTUnwrap(classifier.head.namedParameters().first { $0.name.hasSuffix("weight") }).tensor.values
        for (i, c) in chosen.enumerated() {
            for k in stride(from: 0, to: channels, by: 97) {
                for cell in 0..<9 {
                    XCTAssertEqual(gradients[(i * channels + k) * 9 + cell], weight[c * channels + k] / 9, accuracy: 1e-7)
                }
            }
        }

        let hidden = ImageClassifier(backbone: classifier.backbone, kind: .mobileNetV2, classNames: ["a", "b"],
                                     head: HeadConfiguration(hiddenUnits: [6], dropout: 0, pooling: .max), imageSize: 32, seed: 3)
        let (analytic, _) = hidden.featureMapGradients(shape: shape, values: values, classes: [1, 1])
        func logit(_ values: [Float], image: Int) -> Double {
            let logits = GradMode.withoutGradients {
                hidden.head(HeadPooling.max(Tensor(shape: shape, values: values)), context: .inference)
            }.values
            return Double(logits[image * 2 + 1])
        }
        var checked = 0
        for index in stride(from: 0, to: values.count, by: 53) {
            var plus = values, minus = values
            plus[index] += 1e-2
            minus[index] -= 1e-2
            let image = index / (channels * 9)
            let numeric = (logit(plus, image: image) - logit(minus, image: image)) / 2e-2
            XCTAssertEqual(Double(analytic[index]), numeric, accuracy: 2e-3 + 1e-2 * abs(numeric), "entry \(index)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 300)
    }

    /// A 224-pixel image of grey noise with a 48-pixel square of `colour` whose top left corner
    /// is at (x, y).
    private func image(colour: [Int], x: Int, y: Int, generator: inout SeededGenerator) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: 224 * 224 * 3)
        for py in 0..<224 {
            for px in 0..<224 {
                let inside = px >= x && px < x + 48 && py >= y && py < y + 48
                for c in 0..<3 {
                    let noise = Int(generator.nextUnitFloat() * 40) - 20
                    pixels[(py * 224 + px) * 3 + c] = UInt8(max(0, min(255, (inside ? colour[c] : 128) + noise)))
                }
            }
        }
        return RGBImage(width: 224, height: 224, pixels: pixels)
    }

    func testTheHeatMapPeaksOnTheObject() throws {
        let cache = WeightsCache()
        guard let file = BackboneKind.efficientNetLite0.pretrainedFile, cache.isPresent(file) else {
            throw XCTSkip("EfficientNet-Lite0 weights are not cached; `make test` fetches them")
        }
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var generator = SeededGenerator(seed: 12)
        var positions: [URL: (x: Int, y: Int)] = [:]
        for (split, count) in [("train", 12), ("validation", 6)] {
            for (name, colour) in [("blue", [30, 60, 220]), ("red", [220, 40, 30])] {
                let folder = root.appendingPathComponent("\(split)/\(name)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for i in 0..<count {
                    let x = Int(generator.next() % 176), y = Int(generator.next() % 176)
                    let url = folder.appendingPathComponent("\(i).png")
                    try PNGEncoder.write(image(colour: colour, x: x, y: y, generator: &generator), to: url)
                    positions[url] = (x, y)
                }
            }
        }
        let data = try ImageFolder(root: root)
        let classifier = ImageClassifier(backbone: try BackboneKind.efficientNetLite0.pretrained(cache: cache, keepClassifier: false),
                                         kind: .efficientNetLite0, classNames: data.classNames, head: HeadConfiguration(dropout: 0),
                                         imageSize: 224, seed: 5)
        var options = options(headEpochs: 6, fineTuneEpochs: 0)
        options.headLearningRate = 1e-2
        try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation, options: options).fit()

        let validation = try XCTUnwrap(data.validation)
        let files = validation.samples.map(\.url)
        let explanations = classifier.explanations(files: files).map { try! $0.get() }
        var onTheObject = 0
        for (file, explanation) in zip(files, explanations) {
            let map = explanation.map
            XCTAssertEqual([map.width, map.height], [7, 7])
            XCTAssertEqual(map.values.max(), 1)
            // The square's centre, in cells of 32 pixels.
            let position = try XCTUnwrap(positions[file.standardizedFileURL] ?? positions[file])
            let cell = ((position.x + 24) / 32, (position.y + 24) / 32)
            if abs(map.peak.x - cell.0) <= 1 && abs(map.peak.y - cell.1) <= 1 { onTheObject += 1 }
            XCTAssertEqual([explanation.overlay.width, explanation.overlay.height], [224, 224])
        }
        print("Grad-CAM: \(onTheObject) of \(files.count) heat maps peak within a cell of the square")
        XCTAssertGreaterThanOrEqual(onTheObject, files.count * 3 / 4, "\(onTheObject) of \(files.count) heat maps peak on the square")

        // Written as PNGs named after the images, one per file; an unreadable file gets its error.
        let folder = root.appendingPathComponent("explained")
        let broken = root.appendingPathComponent("broken.png")
        try Data("not an image".utf8).write(to: broken)
        let written = try classifier.writeExplanations(files: Array(files.prefix(2)) + [broken], to: folder)
        XCTAssertEqual(try written[0].get().lastPathComponent, "0-gradcam.png")
        XCTAssertEqual(try written[1].get().lastPathComponent, "1-gradcam.png")
        XCTAssertThrowsError(try written[2].get())
        XCTAssertEqual(try ImageDecoder.decode(contentsOf: try written[0].get()).width, 224)
    }
}
