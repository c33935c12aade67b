import ArgumentParser
import Foundation
import Graft

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Datasets.", subcommands: [FashionMNISTFolder.self])
}

struct FashionMNISTFolder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion-mnist",
        abstract: "Write Fashion-MNIST (Debian's dataset-fashion-mnist, installed when missing) as a PNG image folder.",
        discussion: "OUT gets train/, validation/ and test/, each with one folder per class.")

    @Argument(help: "The folder to write.") var out: String
    @Option(help: "Training images per class.") var perClass = 300
    @Option(help: "Validation images per class (default: a fifth of --per-class).") var validationPerClass: Int?
    @Option(help: "Test images per class, from the official test set (default: a fifth of --per-class).") var testPerClass: Int?
    @Option(help: "Side of the written images in pixels (Fashion-MNIST is 28x28).") var size = 28
    @Flag(help: "Replace the folder's contents if it is not empty.") var force = false

    func validate() throws {
        // Fashion-MNIST has 6000 training and 1000 test images per class.
        try renamingSettings([:]) {
            try checkSetting("--per-class", perClass, in: 1...6000)
            if let validationPerClass { try checkSetting("--validation-per-class", validationPerClass, in: 1...6000) }
            if let testPerClass { try checkSetting("--test-per-class", testPerClass, in: 1...1000) }
            try checkSetting("--size", size, in: 8...ClassifierOptions.imageSizes.upperBound)
        }
    }

    func run() throws {
        if !FashionMNIST.isInstalled() {
            print("graft: installing Debian's dataset-fashion-mnist")
            try FashionMNIST.install()
        }
        let summary = try FashionMNIST.writeImageFolder(to: URL(fileURLWithPath: out), perClass: perClass, size: size,
                                                        validationPerClass: validationPerClass, testPerClass: testPerClass,
                                                        replacingExisting: force)
        print("wrote \(summary.totalImages) images to \(summary.root.path)")
    }
}

struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Images per second of decoding, augmentation and batching at 224x224 with the loader's threads.")

    @Argument(help: "An image folder (one sub-folder per class).") var directory: String
    @Option(help: "Loader threads.") var threads = 2
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Batches to time.") var batches = 20
    @Option(help: "Augmentation preset.") var augmentation = AugmentationPreset.light

    func validate() throws {
        try renamingSettings([:]) {
            try checkSetting("--threads", threads, in: 0...256)
            try checkSetting("--batch-size", batchSize, in: 1...TrainingOptions.maximumBatchSize)
            try checkSetting("--batches", batches, in: 1...100_000)
        }
    }

    func run() throws {
        let result = try DataBenchmark.run(directory: URL(fileURLWithPath: directory), threads: threads,
                                           batchSize: batchSize, batches: batches, augmentation: augmentation.augmentation)
        print(result)
    }
}
