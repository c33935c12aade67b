import Foundation
import Graft
import GraftTestSupport
import XCTest

/// Examples/ONNX/predict.py, which knows nothing of Graft and preprocesses from the file's
/// metadata alone, predicts the same top 5 as `graft classify` (the ImageNet classifier, a
/// crop-then-resize rule) and `graft predict` (a saved model, a resize-then-crop rule) on the
/// sample photos, the JPEG among them.
final class StandalonePredictionTests: ExportTestCase {
    private struct FilePredictions: Decodable {
        struct Entry: Decodable {
            let index: Int
            let probability: Float
        }

        let file: String
        let predictions: [Entry]
    }

    private func graft() throws -> GraftProcess {
        guard let graft = GraftProcess.built(near: Self.self) else { throw XCTSkip("the graft tool was not built") }
        return graft
    }

    /// `graft` with `arguments` (which end in --json) and predict.py on `model`, compared image by image.
    private func compare(graft arguments: [String], onnx model: URL, photos: [URL], label: String) throws {
        let python = try Self.python()
        let fromGraft = try graft().run(arguments + photos.map(\.path) + ["--top", "5", "--json"])
        XCTAssertEqual(fromGraft.status, 0, fromGraft.output)
        let script = PythonTools.repositoryRoot.appendingPathComponent("Examples/ONNX/predict.py")
        let fromONNX = try PythonTools.run(python, [script.path, model.path] + photos.map(\.path) + ["--top", "5", "--json"])
        XCTAssertEqual(fromONNX.status, 0, fromONNX.output)
        let expected = try JSONDecoder().decode([FilePredictions].self, from: Data(fromGraft.output.utf8))
        let actual = try JSONDecoder().decode([FilePredictions].self, from: Data(fromONNX.output.utf8))
        XCTAssertEqual(actual.map(\.file), expected.map(\.file))
        for (a, e) in zip(actual, expected) {
            XCTAssertEqual(a.predictions.map(\.index), e.predictions.map(\.index), "\(label): the top 5 of \(a.file)")
            for (pa, pe) in zip(a.predictions, e.predictions) {
                XCTAssertEqual(pa.probability, pe.probability, accuracy: 2e-3, "\(label): \(a.file), class \(pe.index)")
            }
        }
        print("standalone \(label): top 5 of \(photos.count) photos equal; largest probability difference "
              + String(format: "%.1e", zip(actual, expected).flatMap { zip($0.predictions, $1.predictions).map { abs($0.probability - $1.probability) } }.max() ?? 0))
    }

    func testImageNetClassifierFromItsMetadataAlone() throws {
        let photos = try photoFiles()
        _ = try pretrained(.efficientNetLite0)
        let model = scratch.appendingPathComponent("lite0.onnx")
        let export = try graft().run(["export", "--backbone", "efficientnet-lite0", "--out", model.path])
        XCTAssertEqual(export.status, 0, export.output)
        try compare(graft: ["classify", "--backbone", "efficientnet-lite0"], onnx: model, photos: photos, label: "efficientnet-lite0")
    }

    func testSavedModelFromItsMetadataAlone() throws {
        let photos = try photoFiles()
        let backbone = try pretrained(.mobileNetV2, keepClassifier: false)
        let classifier = ImageClassifier(backbone: backbone, kind: .mobileNetV2, classNames: (0..<10).map { "class \($0)" },
                                         head: HeadConfiguration(hiddenUnits: [64]), imageSize: 160, seed: 21)
        let folder = scratch.appendingPathComponent("model")
        try classifier.save(to: folder)
        let model = scratch.appendingPathComponent("model.onnx")
        // Logits only: the script then applies the softmax itself.
        let export = try graft().run(["export", folder.path, "--out", model.path, "--output", "logits"])
        XCTAssertEqual(export.status, 0, export.output)
        try compare(graft: ["predict", folder.path], onnx: model, photos: photos, label: "mobilenetv2 160 px, saved model")
    }
}
