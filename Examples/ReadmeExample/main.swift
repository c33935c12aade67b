import Foundation
import Graft

// An image folder (one sub-folder per class, or train/ and validation/ folders that hold them);
// LabelFileDataset(labels:root:columns:options:) reads a label file instead.
let data = try ImageFolder(root: URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "data"))
var model = ClassifierOptions()           // EfficientNet-Lite0 pretrained on ImageNet, a new softmax head
model.imageSize = 96
var options = TrainingOptions()           // 5 head epochs at 1e-3, then 5 fine-tuning epochs at 1e-4
options.unfreeze = .lastBlocks(3)
options.learningRateDecayPerBlock = 0.5   // optional: discriminative rates in stage 2
options.schedule = .constant              // optional: the default is warm-up, then cosine decay
let run = try TrainingRun(data: data, model: model, options: options,
                          outputs: RunOutputs(directory: URL(fileURLWithPath: "runs/example")))
run.trainer.onEpochEnd = { record, _ in print(record.summaryLine) }
print(try run.fit())                      // model/, history, curves and report are written after each stage
let saved = try ImageClassifier.load(from: run.outputs!.modelDirectory)
print(try saved.evaluate(on: data.validation!).text)
