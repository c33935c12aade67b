import Foundation
import GraftCore
import GraftData
import GraftModels
import GraftNN
@testable import GraftTraining
import XCTest

/// `--pooling avg|max|flatten`: what the head receives, its size at each image size, how it is
/// saved, and the sizes that are refused.
final class PoolingHeadTests: TrainingTestCase {
    private func classifier(_ pooling: HeadPooling, kind: BackboneKind = .mobileNetV2, size: Int = 64,
                            hidden: [Int] = [], output: HeadOutput = .softmax) -> ImageClassifier {
        ImageClassifier(backbone: kind.makeFeatureExtractor(seed: 3), kind: kind,
                        classNames: output == .sigmoid ? ["a", "b"] : ["a", "b", "c"],
                        head: HeadConfiguration(hiddenUnits: hidden, dropout: 0.5, output: output, pooling: pooling),
                        imageSize: size, seed: 5)
    }

    func testMaxAndFlattenHeadsGetTheFeatureMapsMaximumAndEveryValue() {
        var g = SeededGenerator(seed: 9)
        let images = Tensor.normal([2, 3, 64, 64], generator: &g)
        let average = classifier(.avg), maximum = classifier(.max), flat = classifier(.flatten)
        let map = GradMode.withoutGradients { average.backbone.featureMap(images, context: .inference) }
        XCTAssertEqual(map.shape, [2, 1280, 2, 2])
        let values = map.values
        let expectedMax = (0..<(2 * 1280)).map { values[($0 * 4)..<($0 * 4 + 4)].max()! }
        let expectedMean = (0..<(2 * 1280)).map { i in values[(i * 4)..<(i * 4 + 4)].reduce(0, +) / 4 }
        func features(_ c: ImageClassifier) -> Tensor { GradMode.withoutGradients { c.features(images, context: .inference) } }
        XCTAssertEqual(features(maximum).shape, [2, 1280])
        XCTAssertEqual(features(maximum).values, expectedMax)
        XCTAssertEqual(features(flat).shape, [2, 5120])
        XCTAssertEqual(features(flat).values, values, "channel-major, as the map's plain layout")
        XCTAssertEqual(zip(features(average).values, expectedMean).map { abs($0 - $1) }.max()!, 0, accuracy: 1e-5)
        XCTAssertEqual([average, maximum, flat].map(\.headInputWidth), [1280, 1280, 5120])
        XCTAssertEqual(flat.head.namedParameters().first { $0.name == "1.weight" }?.tensor.shape, [3, 5120])
        XCTAssertTrue(flat.summary().contains("head (flatten 5120 -> 3)"), flat.summary())
        XCTAssertTrue(average.summary().contains("head (1280 -> 3)"), average.summary())
    }

    /// What `BackboneKind` says of the feature map without building a network (used to check
    /// options) is what each network gives.
    func testEveryBackbonesFeatureMapSizeIsKnownFromItsKind() {
        for kind in BackboneKind.allCases {
            let backbone = kind.makeFeatureExtractor(seed: 1)
            XCTAssertEqual(kind.featureWidth, backbone.featureWidth, kind.rawValue)
            XCTAssertEqual(kind.pretrainedImageSize, backbone.preprocessing.height, kind.rawValue)
            for (height, width) in [(33, 47), (64, 64)] {
                let map = GradMode.withoutGradients {
                    backbone.featureMap(Tensor.zeros([1, 3, height, width]), context: .inference)
                }
                let expected = kind.featureMapSize(height: height, width: width)
                XCTAssertEqual(map.shape, [1, kind.featureWidth, expected.height, expected.width], "\(kind.rawValue) at \(height)x\(width)")
                XCTAssertEqual(backbone.featureMapSize(height: height, width: width).height, expected.height, kind.rawValue)
                XCTAssertEqual(backbone.featureMapSize(height: height, width: width).width, expected.width, kind.rawValue)
            }
        }
        // Keras' VGG16 at 150 px: a 4x4x512 map, 8192 inputs to Dense(256).
        XCTAssertEqual(BackboneKind.vgg16.featureMapSize(height: 150, width: 150).height, 4)
        XCTAssertEqual(BackboneKind.efficientNetLite0.featureMapSize(height: 224, width: 224).height, 7)
    }

    func testPoolingIsSavedInConfigAndAConfigWithoutItLoadsAsTheAverage() throws {
        var g = SeededGenerator(seed: 4)
        let images = Tensor.normal([2, 3, 64, 64], generator: &g)
        for pooling in HeadPooling.allCases {
            let original = classifier(pooling, hidden: [8])
            let folder = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            try original.save(to: folder)
            let config = folder.appendingPathComponent("config.json")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
            XCTAssertEqual((json["head"] as? [String: Any])?["pooling"] as? String, pooling.rawValue)
            let loaded = try ImageClassifier.load(from: folder)
            XCTAssertEqual(loaded.headConfiguration.pooling, pooling)
            XCTAssertEqual(loaded.logits(images).values, original.logits(images).values, pooling.rawValue)
        }
        // A model saved before pooling was a choice.
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = classifier(.avg)
        try original.save(to: folder)
        let config = folder.appendingPathComponent("config.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
        var head = json["head"] as! [String: Any]
        head["pooling"] = nil
        json["head"] = head
        try JSONSerialization.data(withJSONObject: json).write(to: config)
        let old = try ImageClassifier.load(from: folder)
        XCTAssertEqual(old.headConfiguration.pooling, .avg)
        XCTAssertEqual(old.logits(images).values, original.logits(images).values)
        // A flatten model whose weights were made at another size is named by key and shape.
        head["pooling"] = "flatten"
        json["head"] = head
        try JSONSerialization.data(withJSONObject: json).write(to: config)
        XCTAssertThrowsError(try ImageClassifier.load(from: folder)) { XCTAssertTrue("\($0)".contains("head.1.weight"), "\($0)") }
    }

    func testAFlattenHeadTooLargeForItsImageSizeIsRefusedWithTheNumbers() throws {
        var options = ClassifierOptions()
        options.backbone = .efficientNetLite0
        options.imageSize = 1024
        options.head = HeadConfiguration(hiddenUnits: [4096], pooling: .flatten)
        XCTAssertThrowsError(try options.validate()) { error in
            let setting = error as? InvalidSetting
            XCTAssertEqual(setting?.name, "head.pooling")
            XCTAssertTrue(setting?.requirement.contains("1280×32×32 map flattens to 1310720 inputs, times 4096 units") == true, "\(error)")
        }
        options.head.pooling = .avg
        XCTAssertNoThrow(try options.validate())
        // Keras' recipe fits: VGG16 at 150 px, Flatten, Dense(256).
        options.backbone = .vgg16
        options.imageSize = 150
        options.head = HeadConfiguration(hiddenUnits: [256], dropout: 0.5, output: .sigmoid, pooling: .flatten)
        XCTAssertNoThrow(try options.validate(classCount: 2))
        // VGG16's max poolings leave nothing of an image under 32 px.
        options.imageSize = 24
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("at least 32 for vgg16"), "\($0)") }
    }

    func testTheReportDescribesTheHeadsPooling() throws {
        let flat = classifier(.flatten, hidden: [16])
        let rows = TrainingReport.configuration(of: flat, options: TrainingOptions(), trainingImages: 10, validationImages: 2)
        XCTAssertEqual(rows.first { $0.name == "head" }?.value, "flatten 5120 → 16 → 3 (softmax), dropout 0.5")
        let average = classifier(.avg)
        let plain = TrainingReport.configuration(of: average, options: TrainingOptions(), trainingImages: 10, validationImages: 2)
        XCTAssertEqual(plain.first { $0.name == "head" }?.value, "1280 → 3 (softmax), dropout 0.5")
    }
}
