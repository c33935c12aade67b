import ArgumentParser
import Foundation
import Graft
import GraftExport

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a trained model, or a pretrained ImageNet classifier, as an ONNX file.",
        discussion: "The graph is Graft's own inference pass, traced: BatchNorm folded into the convolutions, dropout "
            + "removed. The input is 'input' (N, 3, height, width), preprocessed as the file's metadata says "
            + "(metadata_props: class_names, input_size, preprocessing, preprocessing_steps, backbone, graft_version); "
            + "the outputs are 'probabilities' and/or 'logits' (N, classes). The file is checked before it is written, "
            + "and written whole or not at all.")

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "A model folder written by graft train (OUT/model); or give --backbone instead.") var model: String?
    @Option(help: "Export this backbone's pretrained ImageNet classifier: \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backbone: BackboneKind?
    @Option(help: "With --backbone: a checkpoint to use instead of the fetched weights (PyTorch .pth or .safetensors).")
    var weights: String?
    @Option(help: ArgumentHelp("The ONNX file to write.", valueName: "file.onnx")) var out: String
    @Option(help: "ONNX operator-set version (\(ONNXExportOptions.supportedOpsets.lowerBound) to \(ONNXExportOptions.supportedOpsets.upperBound)).")
    var opset = ONNXExportOptions().opset
    @Option(help: ArgumentHelp("The batch dimension: 'dynamic' (any size) or a fixed size.", valueName: "N|dynamic"))
    var batch = "dynamic"
    @Option(help: "Which outputs the graph has.") var output: ONNXOutputs = .probabilities

    func validate() throws {
        switch (model, backbone) {
        case (nil, nil): throw ValidationError("name a model folder, or a pretrained classifier with --backbone")
        case (.some, .some): throw ValidationError("give a model folder or --backbone, not both")
        default: break
        }
        if weights != nil && backbone == nil { throw ValidationError("--weights goes with --backbone") }
        let destination = URL(fileURLWithPath: out)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination.deletingLastPathComponent().path, isDirectory: &isFolder),
              isFolder.boolValue else {
            throw ValidationError("--out \(out): the folder \(destination.deletingLastPathComponent().path) does not exist")
        }
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("--out \(out) is a folder; name the file to write")
        }
        try renamingSettings(["opset": "--opset", "batch": "--batch"]) { try options().validate() }
    }

    func options() throws -> ONNXExportOptions {
        guard let size = ONNXBatchSize(batch) else {
            throw ValidationError("--batch must be 'dynamic' or a number, not '\(batch)'")
        }
        return ONNXExportOptions(opset: opset, batch: size, outputs: output)
    }

    func run() throws {
        try runtime.apply()
        let source: ONNXExportSource
        if let model {
            source = ONNXExportSource(classifier: try ImageClassifier.load(from: URL(fileURLWithPath: model)))
        } else {
            let network = try backbone!.pretrained(weights: weights.map { URL(fileURLWithPath: $0) })
            source = ONNXExportSource(imageNet: network, classNames: try ImageNetClasses.load())
        }
        let export = try ONNXExport(source, options: try options())
        try export.write(to: URL(fileURLWithPath: out))
        let s = export.summary
        let shape = "(" + s.inputShape.joined(separator: ", ") + ")"
        print(String(format: "wrote %@: %@, %d classes, opset %d, %.2f M parameters, %.1f MB",
                     out, source.architecture, s.classes, s.opset, Double(s.parameters) / 1e6, Double(s.bytes) / 1e6))
        print("  input   \(ONNXNames.input) \(shape) float32")
        print("  outputs " + s.outputs.map { "\($0) (\(s.inputShape[0]), \(s.classes))" }.joined(separator: ", "))
        if source.temperature != 1 {
            print("  calibration: the logits are divided by the temperature \(String(format: "%.4g", source.temperature)) before the softmax "
                  + "(metadata 'temperature'); the logits output is after the division")
        }
        print("  nodes   \(s.nodes): " + s.operatorCounts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}
