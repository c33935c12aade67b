import Foundation
import GraftCheckpoint
import GraftFiles
import GraftTestSupport
@testable import GraftTraining
import XCTest

/// The hardening corpus: bad values, files and faults given to the real `graft` tool. Each must
/// end in an exit status of 1...127 (never a signal or a trap) with a message naming the
/// culprit, leave its inputs untouched and leave no half-written output.
final class CommandLineTests: TrainingTestCase {
    var graft: GraftProcess!

    override func setUpWithError() throws {
        guard let built = GraftProcess.built(near: Self.self) else {
            throw XCTSkip("the graft tool is not beside the tests; `make test` builds it")
        }
        graft = built
    }

    /// Flags for a training run that needs no downloaded weights and takes a few seconds.
    func quickTrain(_ data: URL, out: URL, epochs: Int = 2, fineTuneEpochs: Int = 2) -> [String] {
        ["train", data.path, "--out", out.path, "--random-init", "--backbone", "mobilenetv2", "--image-size", "32",
         "--batch-size", "8", "--epochs", String(epochs), "--fine-tune-epochs", String(fineTuneEpochs), "--seed", "5"]
    }

    func assertFailure(_ arguments: [String], naming fragments: [String], untouched inputs: [URL] = [],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let before = inputs.map(snapshot)
        let result = try graft.run(arguments)
        XCTAssertTrue(result.failedCleanly, "status \(result.status), \(result.reason): \(result.output)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(result.output.contains(fragment), "'\(fragment)' not in: \(result.output)", file: file, line: line)
        }
        XCTAssertFalse(result.output.contains("Fatal error"), result.output, file: file, line: line)
        XCTAssertEqual(inputs.map(snapshot), before, "an input changed", file: file, line: line)
        for input in inputs { XCTAssertEqual(leftovers(input), [], file: file, line: line) }
    }

    func testEveryBadNumberIsRefusedByItsFlagBeforeAnyWork() throws {
        let data = try dataset().root
        let out = temporaryDirectory()
        let train = quickTrain(data, out: out)
        let cases: [(String, String?, String)] = [
            ("--batch-size", "0", "--batch-size must be between 1 and 4096, not 0"),
            ("--lr", "inf", "--lr must be a finite number in (0, 10], not inf"),
            ("--dropout", "nan", "--dropout must be a finite number in [0, 1), not nan"),
            ("--dropout", "1", "--dropout must be a finite number in [0, 1), not 1.0"),
            ("--clip-norm=-1", nil, "--clip-norm must be a finite number in (0, 1000000000], not -1.0"),
            ("--image-size", "100000", "--image-size must be between 16 and 1024, not 100000"),
            ("--threads", "100000", "--threads must be between 1 and 1024, not 100000"),
            ("--patience", "0", "--patience must be"),
            ("--warmup-fraction", "1", "--warmup-fraction must be"),
            ("--validation-fraction=-0.5", nil, "--validation-fraction must be a finite number in [0, 1), not -0.5"),
            ("--unfreeze", "from:x", "--unfreeze must be from:K"),
            ("--hidden", "256,-3", "--hidden must be between 1"),
            ("--rotation", "200", "--rotation must be a finite number in [0, 180], not 200.0"),
            ("--shift", "1", "--shift must be a finite number in [0, 1), not 1.0"),
            ("--zoom=-0.1", nil, "--zoom must be a finite number in [0, 1), not -0.1"),
            ("--brightness", "nan", "--brightness must be a finite number in [0, 1], not nan"),
            ("--contrast", "2", "--contrast must be a finite number in [0, 1], not 2.0"),
            ("--erase", "1.5", "--erase must be a finite number in [0, 1], not 1.5"),
            ("--mixup=-1", nil, "--mixup must be a finite number in [0, 100], not -1.0"),
            ("--cutmix", "inf", "--cutmix must be a finite number in [0, 100], not inf"),
            ("--weight-decay", "5", "--weight-decay must be a finite number in [0, 1], not 5.0"),
            ("--momentum", "0.9", "--momentum must be 0 with adam"),
            ("--reduce-lr-patience", "0", "--reduce-lr-patience must be between 1 and 100000, not 0"),
            ("--reduce-lr-factor", "1", "--reduce-lr-factor must be below 1"),
            ("--min-lr=-1", nil, "--min-lr must be a finite number in [0, 10], not -1.0"),
            ("--step-epochs", "0", "--step-epochs must be between 1 and 100000, not 0"),
            ("--step-factor", "0", "--step-factor must be a finite number in (0, 1], not 0.0"),
        ]
        for (flag, value, message) in cases {
            try assertFailure(train + [flag] + (value.map { [$0] } ?? []), naming: [message], untouched: [data])
        }
        try assertFailure(quickTrain(data, out: out, epochs: 0, fineTuneEpochs: 0),
                          naming: ["--epochs must be at least 1 when --fine-tune-epochs is 0"], untouched: [data])
        try assertFailure(["train", data.path, "--out", ""], naming: ["--out must name a folder"], untouched: [data])
        // Choices that fit no run: momentum for Adam, a VGG16 input its poolings reduce to nothing,
        // a flatten head at a size that makes its first layer gigabytes.
        try assertFailure(["train", data.path, "--out", out.path, "--random-init", "--backbone", "vgg16", "--image-size", "24"],
                          naming: ["--image-size must be at least 32 for vgg16"], untouched: [data])
        try assertFailure(["train", data.path, "--out", out.path, "--random-init", "--image-size", "1024", "--pooling", "flatten", "--hidden", "4096"],
                          naming: ["--pooling must be a head whose first dense layer has at most 268435456 parameters", "1310720 inputs"],
                          untouched: [data])
        try assertFailure(quickTrain(data, out: out) + ["--pooling", "average"], naming: ["--pooling"], untouched: [data])
        try assertFailure(["evaluate", out.path, data.path, "--batch-size", "0"], naming: ["--batch-size must be between 1"])
        try assertFailure(["evaluate", out.path, data.path, "--top", "0"], naming: ["--top must be between 1"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "a refused run wrote its output folder")
    }

    func testAnOutputFolderThatIsAFileOrInUseIsRefused() throws {
        let data = try dataset().root
        let file = temporaryDirectory()
        try writeAtomically("not a folder", to: file)
        try assertFailure(quickTrain(data, out: file), naming: ["cannot create the folder \(file.path): a file of that name exists"],
                          untouched: [data])
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "not a folder")

        let busy = temporaryDirectory()
        let lock = try FolderLock(busy)
        try assertFailure(quickTrain(data, out: busy), naming: ["\(busy.path) is in use by another graft run (process \(getpid()))"],
                          untouched: [data])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: busy.path), [FolderLock.fileName])
        withExtendedLifetime(lock) {}
    }

    func testABrokenSavedModelIsNamedByFileAndKey() throws {
        let data = try dataset().root
        let outputs = RunOutputs(directory: temporaryDirectory())
        try outputs.writeModel(try makeClassifier())
        let config = outputs.modelDirectory.appendingPathComponent("config.json")
        let original = try Data(contentsOf: config)
        func edit(_ change: (inout [String: Any]) -> Void) throws {
            var object = try JSONSerialization.jsonObject(with: original) as! [String: Any]
            change(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: config)
        }
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("'head.dropout'", { var head = $0["head"] as! [String: Any]; head["dropout"] = 7; $0["head"] = head }),
            ("'head.hidden_units[0]'", { var head = $0["head"] as! [String: Any]; head["hidden_units"] = [-3]; $0["head"] = head }),
            ("'input_size[0]'", { $0["input_size"] = [1_000_000, 32] }),
            ("'preprocessing.height'", { var p = $0["preprocessing"] as! [String: Any]; p["height"] = 1_000_000; $0["preprocessing"] = p }),
            ("'class_names'", { $0["class_names"] = ["blue", "green", "red", "violet"] }),
            ("'class_names'", { $0["class_names"] = ["blue", "blue", "red"] }),
            ("'format'", { $0["format"] = "graft-image-classifier-9" }),
            ("missing key 'dropout' at head", { var head = $0["head"] as! [String: Any]; head["dropout"] = nil; $0["head"] = head }),
        ]
        for (fragment, change) in cases {
            try edit(change)
            try assertFailure(["evaluate", outputs.modelDirectory.path, data.path], naming: ["config.json", fragment], untouched: [data])
        }
        try Data("{ not json".utf8).write(to: config)
        try assertFailure(["predict", outputs.modelDirectory.path, data.path], naming: ["config.json", "not valid JSON"])

        try original.write(to: config)
        let weights = outputs.modelDirectory.appendingPathComponent("model.safetensors")
        let checkpoint = try Checkpoint.read(contentsOf: weights)
        let poisoned = checkpoint.tensors.map { tensor -> CheckpointTensor in
            guard tensor.name == "head.1.bias" else { return tensor }
            var values = tensor.floatValues
            values[1] = .nan
            return CheckpointTensor(name: tensor.name, shape: tensor.shape, values: values)
        }
        try Safetensors.write(Checkpoint(tensors: poisoned), to: weights)
        try assertFailure(["evaluate", outputs.modelDirectory.path, data.path],
                          naming: ["model.safetensors", "head.1.bias", "1 of its 3 values are not finite"], untouched: [data])
    }

    func testResumeWithNothingToResumeOrOtherSettingsIsRefused() throws {
        let data = try dataset().root
        let out = temporaryDirectory()
        try assertFailure(quickTrain(data, out: out) + ["--resume"], naming: ["nothing to resume", "run without --resume"],
                          untouched: [data])
        let first = try graft.run(quickTrain(data, out: out, epochs: 1, fineTuneEpochs: 1))
        XCTAssertEqual(first.status, 0, first.output)
        let model = snapshot(out.appendingPathComponent("model"))
        try assertFailure(quickTrain(data, out: out, epochs: 1, fineTuneEpochs: 1) + ["--resume", "--lr", "0.01", "--image-size", "48"],
                          naming: ["other settings", "image size: 32 × 32 → 48 × 48", "stage 1: head on the frozen backbone: "],
                          untouched: [data])
        XCTAssertEqual(snapshot(out.appendingPathComponent("model")), model, "a refused resume rewrote the model")
        XCTAssertEqual(leftovers(out), [])
    }

    func testEvaluateSaysWhichSplitItScoresAndWarnsOnAPlainFolder() throws {
        let outputs = RunOutputs(directory: temporaryDirectory())
        try outputs.writeModel(try makeClassifier())
        let split = try dataset().root
        let scored = try graft.run(["evaluate", outputs.modelDirectory.path, split.path])
        XCTAssertEqual(scored.status, 0, scored.output)
        XCTAssertTrue(scored.output.contains("scoring validation of \(split.path): 12 images"), scored.output)
        // Three classes, top-5: every image is in the top five, so it is not shown.
        XCTAssertFalse(scored.output.contains("top-"), scored.output)
        let plain = try graft.run(["evaluate", outputs.modelDirectory.path, split.appendingPathComponent("train").path])
        XCTAssertEqual(plain.status, 0, plain.output)
        XCTAssertTrue(plain.output.contains("so every image is scored"), plain.output)
        XCTAssertTrue(plain.output.contains("scoring all images"), plain.output)
    }

    /// SIGTERM, Ctrl-C (SIGINT) and kill -9 once the first checkpoint exists, then --resume: the
    /// same weights, bit for bit, as a run that was never interrupted.
    func testInterruptedRunsResumeToTheWeightsOfAnUninterruptedOne() throws {
        let data = try dataset().root
        let whole = temporaryDirectory()
        let reference = try graft.run(quickTrain(data, out: whole))
        XCTAssertEqual(reference.status, 0, reference.output)
        let expected = try Data(contentsOf: whole.appendingPathComponent("model/model.safetensors"))
        for (signal, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT"), (SIGKILL, "SIGKILL")] {
            let out = temporaryDirectory()
            let (process, log) = try graft.start(quickTrain(data, out: out))
            let progress = out.appendingPathComponent("checkpoint/progress.json")
            for _ in 0..<2000 where process.isRunning && !FileManager.default.fileExists(atPath: progress.path) { usleep(5_000) }
            kill(process.processIdentifier, signal)
            let stopped = graft.finish(process, log: log)
            if stopped.reason == .exit && stopped.status == 0 {
                // It had finished before the signal came; resuming must still change nothing.
            } else if signal == SIGKILL {
                XCTAssertEqual(stopped.reason, .uncaughtSignal, name)
            } else {
                XCTAssertTrue(stopped.failedCleanly, "\(name): \(stopped.status) \(stopped.output)")
                XCTAssertTrue(stopped.output.contains("with --resume"), "\(name): \(stopped.output)")
            }
            let resumed = try graft.run(quickTrain(data, out: out) + ["--resume"])
            XCTAssertEqual(resumed.status, 0, "\(name): \(resumed.output)")
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("model/model.safetensors")), expected, name)
            XCTAssertEqual(leftovers(out), [], name)
        }
    }
}

extension CommandLineTests {
    /// The commands other than train and evaluate check their numbers the same way.
    func testEveryOtherCommandChecksItsNumbers() throws {
        let folder = temporaryDirectory()
        for (arguments, message) in [
            (["predict", folder.path, folder.path, "--top", "0"], "--top must be between 1 and 100000, not 0"),
            (["classify", folder.path, "--top=-3"], "--top must be between 1 and 100000, not -3"),
            (["data", "fashion-mnist", folder.path, "--per-class", "0"], "--per-class must be between 1 and 6000, not 0"),
            (["data", "fashion-mnist", folder.path, "--size", "100000"], "--size must be between 8 and 1024"),
            (["bench", "model", "--backbone", "mobilenetv2", "--mode", "full", "--batch-size", "0"], "--batch-size must be between 1"),
            (["bench", "model", "--backbone", "mobilenetv2", "--mode", "full", "--image-size", "99999"], "--image-size must be between 16"),
            (["bench", "ops", "--iterations", "0"], "--iterations must be between 1"),
            (["bench", "data", folder.path, "--batches", "0"], "--batches must be between 1"),
            (["classify", folder.path, "--threads", "0"], "--threads must be between 1 and 1024, not 0"),
        ] {
            try assertFailure(arguments, naming: [message])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))
    }
}

extension CommandLineTests {
    /// A small tmpfs of the test's own (read-only, or nearly full), where the machine lets root
    /// mount one; skipped elsewhere.
    private func mountTemporaryFileSystem(_ options: String) throws -> URL {
        let point = temporaryDirectory()
        try FileManager.default.createDirectory(at: point, withIntermediateDirectories: true)
        let mount = try Process.run(URL(fileURLWithPath: "/bin/mount"), arguments: ["-t", "tmpfs", "-o", options, "tmpfs", point.path])
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { throw XCTSkip("cannot mount a tmpfs here (needs root)") }
        addTeardownBlock {
            let unmount = try? Process.run(URL(fileURLWithPath: "/bin/umount"), arguments: [point.path])
            unmount?.waitUntilExit()
            try? FileManager.default.removeItem(at: point)
        }
        return point
    }

    func testAReadOnlyOrFullFileSystemIsASentenceAndLeavesNothingHalfWritten() throws {
        let data = try dataset().root
        let readOnly = try mountTemporaryFileSystem("ro,size=1m")
        try assertFailure(quickTrain(data, out: readOnly.appendingPathComponent("run")),
                          naming: ["cannot create the folder \(readOnly.path)/run: Read-only file system"], untouched: [data])
        let full = try mountTemporaryFileSystem("size=600k")
        try assertFailure(quickTrain(data, out: full.appendingPathComponent("run")),
                          naming: ["cannot write \(full.path)/run/", "No space left on device"], untouched: [data])
        XCTAssertEqual(leftovers(full), [])
    }
}

extension CommandLineTests {
    /// `--no-restore-best-weights` keeps each stage's last epoch (what a plain PyTorch loop ends
    /// with), and the report says so; by default the best epoch by validation loss is kept.
    func testNoRestoreBestWeightsKeepsTheLastEpoch() throws {
        let data = try dataset().root
        for (flags, kept) in [([], "each stage&#39;s epoch with"), (["--no-restore-best-weights"], "the last epoch&#39;s")] {
            let out = temporaryDirectory()
            let result = try graft.run(quickTrain(data, out: out, epochs: 3, fineTuneEpochs: 1) + flags)
            XCTAssertEqual(result.status, 0, result.output)
            let report = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
            XCTAssertTrue(report.contains(kept) || report.contains(kept.replacingOccurrences(of: "&#39;", with: "'")),
                          "\(flags): the report does not say '\(kept)'")
            if !flags.isEmpty {
                XCTAssertTrue(result.output.contains("kept epoch 4 (stage 2)"), result.output)
                XCTAssertFalse(result.output.contains("(weights of epoch"), result.output)
            }
        }
    }

    func testPrintModelNeedsNoOutputFolder() throws {
        let data = try dataset().root
        let result = try graft.run(["train", data.path, "--print-model", "--random-init", "--backbone", "mobilenetv2", "--image-size", "32"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("stage 2 learning rates: default"), result.output)
        let missing = try graft.run(["train", data.path, "--random-init"])
        XCTAssertTrue(missing.failedCleanly && missing.output.contains("missing --out"), missing.output)
    }
}
