import Foundation
import Graft
import GraftExport
import GraftTestSupport
import XCTest

/// What the export tests share: a scratch folder, the sample photos preprocessed as a model
/// wants them, Graft's outputs on them, and the Python check of a file against those outputs.
class ExportTestCase: XCTestCase {
    private(set) var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("graft-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    static let photoNames = ["chelsea", "coffee", "rocket", "astronaut", "motorcycle_left"]

    /// The five sample photos' files; skips the test when `make test` has not fetched them.
    func photoFiles() throws -> [URL] {
        let cache = WeightsCache()
        return try Self.photoNames.map { name in
            guard let file = PackagedFiles.samplePhotos.first(where: { $0.name == "photo-\(name)" }), cache.isPresent(file) else {
                throw XCTSkip("sample photos are not in \(cache.root.path); `make test` fetches them")
            }
            return cache.path(of: file)
        }
    }

    /// The photos as `preprocessing` prepares them, one (3, height, width) sample each.
    func samples(_ preprocessing: Preprocessing) throws -> [[Float]] {
        let transform = ImageTransform(preprocessing: preprocessing)
        return try photoFiles().map { transform.render(try ImageDecoder.decode(contentsOf: $0)) }
    }

    /// Backbone weights from the cache, or a skip saying `make test` fetches them.
    func pretrained(_ kind: BackboneKind, keepClassifier: Bool = true) throws -> any Backbone {
        let cache = WeightsCache()
        guard let file = kind.pretrainedFile, cache.isPresent(file), cache.isPresent(PackagedFiles.imageNetClassNames) else {
            throw XCTSkip("\(kind.rawValue) weights or the class names are not in \(cache.root.path); `make test` fetches them")
        }
        return try kind.pretrained(cache: cache, keepClassifier: keepClassifier)
    }

    /// Fits the classifier's output layer (its head has no hidden layer) to the photos as training
    /// would, in closed form: each class's weights point from the mean of all photos' features to
    /// the mean of its own, and the logits are scaled to a few units. A fresh random head's logits
    /// are sums that cancel, whose relative error says little about the graph.
    func fitOutputLayer(of classifier: ImageClassifier, to photos: [[Float]], labels: [Int]) {
        let p = classifier.preprocessing
        let input = Tensor(shape: [photos.count, 3, p.height, p.width], values: photos.flatMap { $0 })
        let features = GradMode.withoutGradients { classifier.features(input, context: .inference) }.values
        let width = features.count / photos.count
        // Centred features, and each class's mean of them.
        var centred = (0..<photos.count).map { Array(features[$0 * width ..< ($0 + 1) * width]) }
        let all = (0..<width).map { j in centred.map { $0[j] }.reduce(0, +) / Float(photos.count) }
        centred = centred.map { zip($0, all).map(-) }
        var directions: [[Float]] = Set(labels).sorted().map { c in
            let members = labels.indices.filter { labels[$0] == c }
            return (0..<width).map { j in members.map { centred[$0][j] }.reduce(0, +) / Float(members.count) }
        }
        if classifier.headConfiguration.output == .sigmoid { directions = [zip(directions[1], directions[0]).map(-)] }
        // A multi-label head sees one direction per class, each against the others (labels are
        // the first class of each photo here, enough for logits of both signs).
        if classifier.headConfiguration.output.isMultiLabel {
            precondition(directions.count == classifier.classNames.count, "every class among the labels")
        }
        func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map(*).reduce(0, +) }
        let largest = centred.flatMap { f in directions.map { abs(dot($0, f)) } }.max()!
        let scale = 5 / largest
        let parameters = classifier.head.namedParameters()
        let weight = parameters.last { $0.name.hasSuffix("weight") }!.tensor, bias = parameters.last { $0.name.hasSuffix("bias") }!.tensor
        precondition(weight.shape == [directions.count, width], "a head with hidden layers")
        weight.assign(directions.flatMap { $0.map { $0 * scale } })
        bias.assign(directions.map { -scale * dot($0, all) })
    }

    /// The interpreter with ONNX and ONNX Runtime, looked for once per run (each look starts Python).
    private static let pythonTools = Result { try PythonTools.require(["onnx", "onnxruntime", "numpy", "PIL"]) }

    static func python() throws -> URL { try pythonTools.get() }

    func writeFloats(_ values: [Float], _ name: String) throws -> URL {
        let url = scratch.appendingPathComponent(name)
        var data = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        try data.write(to: url)
        return url
    }

    /// The largest error of ONNX Runtime against Graft per batch size and output, as
    /// `check_export.py` measured it: max |onnx - graft| / max |graft|.
    struct ParityReport {
        var errors: [Int: [String: Double]] = [:]
    }

    /// Runs `model` (its logits pass) on the photos at batch 1 (each photo) and batch 5, and
    /// has check_export.py run the checker and ONNX Runtime on `file` with the same inputs.
    func checkParity(of file: URL, source: ONNXExportSource, dynamicBatch: Bool = true,
                     outputs: [String] = ["probabilities", "logits"], label: String,
                     file callerFile: StaticString = #filePath, line: UInt = #line) throws -> ParityReport {
        let python = try Self.python()
        let p = source.preprocessing
        let photos = try samples(p)
        var cases: [[String: Any]] = []
        func addCase(_ images: [[Float]], _ tag: String) throws {
            let input = Tensor(shape: [images.count, 3, p.height, p.width], values: images.flatMap { $0 })
            // The traced pass, divided by the temperature as the graph divides it (Graft's own rule).
            let logits = temperatureScaled(GradMode.withoutGradients { source.logits(input, .inference) }.values, by: source.temperature)
            var expected: [String: String] = [:]
            if outputs.contains("logits") { expected["logits"] = try writeFloats(logits, "\(tag)-logits.f32").path }
            if outputs.contains("probabilities") {
                let probabilities = source.headOutput.isMultiLabel ? logits.map { Float(1 / (1 + exp(-Double($0)))) }
                    : softmax(logits, classes: source.classNames.count)
                expected["probabilities"] = try writeFloats(probabilities, "\(tag)-probabilities.f32").path
            }
            cases.append(["input": try writeFloats(input.values, "\(tag)-input.f32").path, "shape": input.shape, "expected": expected])
        }
        for (i, photo) in photos.enumerated() { try addCase([photo], "single\(i)") }
        if dynamicBatch { try addCase(photos, "five") }
        let spec = scratch.appendingPathComponent("spec.json")
        try JSONSerialization.data(withJSONObject: ["model": file.path, "dynamic_batch": dynamicBatch, "outputs": outputs,
                                                    "cases": cases]).write(to: spec)
        let script = PythonTools.repositoryRoot.appendingPathComponent("Tests/GraftExportTests/Python/check_export.py")
        let result = try PythonTools.run(python, [script.path, spec.path])
        guard result.status == 0, let json = result.output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let checked = object["cases"] as? [[String: Any]] else {
            XCTFail("check_export.py failed for \(label): \(result.output.suffix(2000))", file: callerFile, line: line)
            return ParityReport()
        }
        var report = ParityReport()
        for entry in checked {
            let batch = entry["batch"] as! Int
            for (name, error) in entry["errors"] as! [String: Double] {
                report.errors[batch, default: [:]][name] = max(report.errors[batch]?[name] ?? 0, error)
                XCTAssertLessThan(error, 1e-4, "\(label): \(name) at batch \(batch)", file: callerFile, line: line)
            }
        }
        let row = report.errors.keys.sorted().map { batch in
            "batch \(batch): " + report.errors[batch]!.sorted { $0.key > $1.key }.map { "\($0.key) \(String(format: "%.2e", $0.value))" }
                .joined(separator: ", ")
        }.joined(separator: "; ")
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        print("onnx parity \(label) (\(String(format: "%.1f", Double(size) / 1e6)) MB): \(row)")
        return report
    }
}

/// Softmax of each row, in double precision as `topPredictions` computes it.
func softmax(_ logits: [Float], classes: Int) -> [Float] {
    stride(from: 0, to: logits.count, by: classes).flatMap { start -> [Float] in
        let row = logits[start..<start + classes]
        let top = row.max()!
        let exps = row.map { exp(Double($0 - top)) }
        let total = exps.reduce(0, +)
        return exps.map { Float($0 / total) }
    }
}
