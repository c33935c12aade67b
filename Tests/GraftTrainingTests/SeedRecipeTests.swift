import Foundation
import GraftCheckpoint
import GraftCore
import GraftModels
@testable import GraftTraining
import XCTest

/// The seed tutorial's Keras recipe, as the README writes it, run by the real tool on a small
/// two-class set with a VGG16 of seeded random weights: ImageDataGenerator(rotation_range=20,
/// width_shift_range=0.2, height_shift_range=0.2, horizontal_flip=True), Flatten + Dense(256,
/// relu) + Dropout(0.5) + Dense(1, sigmoid) on VGG16 at 150x150 with Adam, then the last block
/// unfrozen at Adam 1e-5. One epoch of each stage on 8 images stands in for the tutorial's ten.
final class SeedRecipeTests: TrainingTestCase {
    private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The words of the README's recipe command (its continuation lines joined).
    private func readmeRecipe() throws -> [String] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("    graft train cats-and-dogs ") }, "the README has no recipe command")
        var text = ""
        for line in lines[start...] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            text += " " + (trimmed.hasSuffix("\\") ? String(trimmed.dropLast()) : trimmed)
            if !trimmed.hasSuffix("\\") { break }
        }
        return text.split(separator: " ").map(String.init)
    }

    /// `words` with the value after each flag of `values` replaced.
    private func replacing(_ values: [String: String], in words: [String]) -> [String] {
        var result = words
        for (i, word) in words.enumerated() where i + 1 < words.count {
            if let value = values[word] { result[i + 1] = value }
        }
        return result
    }

    func testTheKerasRecipeRunsAsOneCommandAndKeepsTheEarlyLayers() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let recipe = try readmeRecipe()
        XCTAssertEqual(Array(recipe.prefix(3)), ["graft", "train", "cats-and-dogs"])
        for flag in ["--rotation", "--shift", "--flip", "--pooling", "--hidden", "--dropout", "--head-output", "--optimizer", "--fine-tune-lr", "--unfreeze"] {
            XCTAssertTrue(recipe.contains(flag), "the recipe lacks \(flag)")
        }
        let data = try SyntheticImages.folder(trainPerClass: 4, validationPerClass: 2, classNames: ["cat", "dog"])
        let out = temporaryDirectory()
        defer { for url in [data, out] { try? FileManager.default.removeItem(at: url) } }
        // VGG16's convolutions with seeded random weights, He-scaled so that thirteen layers behind
        // ReLUs keep a signal; no ImageNet classifier (a new head replaces it).
        let vgg = BackboneKind.vgg16.makeFeatureExtractor(seed: 17)
        for (name, tensor) in vgg.namedParameters() where name.hasPrefix("features") {
            tensor.assign(tensor.values.map { $0 * (name.hasSuffix("weight") ? Float(6).squareRoot() : 0.1) })
        }
        let weights = out.deletingLastPathComponent().appendingPathComponent("vgg16-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: weights) }
        try Safetensors.write(Checkpoint(namedTensors: vgg.featureStateTensors()), to: weights)

        var arguments = replacing(["--out": out.path, "--weights": weights.path, "--epochs": "1", "--fine-tune-epochs": "1"],
                                  in: Array(recipe.dropFirst()))
        arguments[1] = data.path
        arguments += ["--batch-size", "4", "--seed", "3"]
        let run = try graft.run(arguments)
        XCTAssertEqual(run.status, 0, run.standardOutput + run.standardError)

        // The head: Flatten (512 x 4 x 4 at 150 px) → Dense(256) + ReLU + Dropout(0.5) → one sigmoid unit.
        let model = out.appendingPathComponent("model")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("config.json"))) as! [String: Any]
        let head = try XCTUnwrap(config["head"] as? [String: Any])
        XCTAssertEqual(head["pooling"] as? String, "flatten")
        XCTAssertEqual(head["hidden_units"] as? [Int], [256])
        XCTAssertEqual(head["dropout"] as? Double, 0.5)
        XCTAssertEqual(head["output"] as? String, "sigmoid")
        XCTAssertEqual(config["input_size"] as? [Int], [150, 150])
        let saved = try Checkpoint.read(contentsOf: model.appendingPathComponent("model.safetensors"))
        let headTensors = saved.tensors.filter { $0.name.hasPrefix("head.") }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: headTensors.map { ($0.name, $0.shape) }),
                       ["head.0.weight": [256, 8192], "head.0.bias": [256], "head.3.weight": [1, 256], "head.3.bias": [1]])
        let classifier = try ImageClassifier.load(from: model)
        XCTAssertEqual(classifier.head.children.map { String(describing: type(of: $0.module)) },
                       ["Linear", "ActivationLayer", "Dropout", "Linear", "TwoClassLogits"])

        // Blocks 1 to 4 frozen throughout: bit for bit the weights given; block 5 fine-tuned.
        let given = try Checkpoint.read(contentsOf: weights)
        var changed = 0
        for tensor in given.tensors {
            let trained = try XCTUnwrap(saved["backbone." + tensor.name], tensor.name)
            let index = Int(tensor.name.split(separator: ".")[1])!
            if index < 24 {
                XCTAssertEqual(trained.floatValues.map(\.bitPattern), tensor.floatValues.map(\.bitPattern), "\(tensor.name) changed")
            } else if trained.floatValues != tensor.floatValues {
                changed += 1
            }
        }
        XCTAssertGreaterThan(changed, 0, "the last block did not train")

        // Recorded as run: the report's configuration names each choice.
        let report = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        for fragment in ["flatten 8192 → 256 → 1 (sigmoid), dropout 0.5", "horizontal flip (p 0.5)",
                         "rotation ±20°, shift ±0.2, zoom ±0, shear ±0°, fill nearest", "Adam, learning rate 1.0e-05",
                         "the last 1 blocks (blocks.4)"] {
            XCTAssertTrue(report.contains(fragment), "the report lacks '\(fragment)'")
        }
        // And the saved model predicts.
        let image = data.appendingPathComponent("validation/dog/0.png")
        let prediction = try graft.run(["predict", model.path, image.path, "--json"])
        XCTAssertEqual(prediction.status, 0, prediction.standardError)
        XCTAssertTrue(prediction.standardOutput.contains("\"dog\"") && prediction.standardOutput.contains("\"cat\""), prediction.standardOutput)
    }
}
