import Foundation

public enum FashionMNISTError: Error, CustomStringConvertible {
    case notInstalled(directory: String)
    case installFailed(status: Int32)
    case malformed(file: String, reason: String)
    case notEnoughImages(className: String, split: String, wanted: Int, available: Int)
    case outputNotEmpty(path: String)

    public var description: String {
        switch self {
        case .notInstalled(let directory):
            return "\(directory): Fashion-MNIST not found; install it with `apt-get install \(FashionMNIST.debianPackage)`"
        case .installFailed(let status):
            return "apt-get install \(FashionMNIST.debianPackage) failed with status \(status) (it needs root)"
        case .malformed(let file, let reason):
            return "\(file): \(reason)"
        case .notEnoughImages(let name, let split, let wanted, let available):
            return "Fashion-MNIST has \(available) \(split) images of class \(name), \(wanted) were asked for"
        case .outputNotEmpty(let path):
            return "\(path): folder exists and is not empty; choose another or allow replacing it"
        }
    }
}

/// Zalando's Fashion-MNIST (70,000 real 28x28 greyscale product photos, 10 classes, MIT), as
/// Debian's `dataset-fashion-mnist` package ships it, written out as an image folder: the demo
/// dataset and a real one for tests.
public enum FashionMNIST {
    public static let debianPackage = "dataset-fashion-mnist"
    public static let defaultDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
    /// Folder-safe class names, label order.
    public static let classNames = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"]

    public enum Split: String, Sendable {
        case train, test
        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// Images of one split as (count, 28, 28) bytes plus their labels.
    public struct Images: Sendable {
        public let count: Int
        public let rows: Int
        public let columns: Int
        public let pixels: [UInt8]
        public let labels: [Int]

        /// Image `i` as RGB (grey replicated).
        public func rgbImage(_ i: Int) -> RGBImage {
            let plane = rows * columns
            var rgb = [UInt8](repeating: 0, count: plane * 3)
            for p in 0..<plane {
                let v = pixels[i * plane + p]
                rgb[3 * p] = v; rgb[3 * p + 1] = v; rgb[3 * p + 2] = v
            }
            return RGBImage(width: columns, height: rows, pixels: rgb)
        }
    }

    public static func isInstalled(at directory: URL = defaultDirectory) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("train-images-idx3-ubyte.gz").path)
            || FileManager.default.fileExists(atPath: directory.appendingPathComponent("train-images-idx3-ubyte").path)
    }

    /// Installs the Debian package with apt-get (needs root), quietly: apt-get's own output is
    /// shown only when it fails. The CLI calls this when the data is missing.
    public static func install() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/apt-get")
        process.arguments = ["install", "-y", "-qq", "--no-install-recommends", debianPackage]
        var environment = ProcessInfo.processInfo.environment
        environment["DEBIAN_FRONTEND"] = "noninteractive"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let log = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            FileHandle.standardError.write(log)
            throw FashionMNISTError.installFailed(status: process.terminationStatus)
        }
    }

    public static func load(_ split: Split, from directory: URL = defaultDirectory) throws -> Images {
        guard isInstalled(at: directory) else { throw FashionMNISTError.notInstalled(directory: directory.path) }
        func file(_ kind: String) -> URL {
            let plain = directory.appendingPathComponent("\(split.filePrefix)-\(kind)")
            let gz = plain.appendingPathExtension("gz")
            return FileManager.default.fileExists(atPath: gz.path) ? gz : plain
        }
        let images = try IDXFile(contentsOf: file("images-idx3-ubyte"))
        let labels = try IDXFile(contentsOf: file("labels-idx1-ubyte"))
        guard images.dimensions.count == 3, labels.dimensions.count == 1, images.dimensions[0] == labels.dimensions[0] else {
            throw FashionMNISTError.malformed(file: directory.path,
                                              reason: "images \(images.dimensions) do not match labels \(labels.dimensions)")
        }
        if let bad = labels.bytes.first(where: { Int($0) >= classNames.count }) {
            throw FashionMNISTError.malformed(file: directory.path, reason: "label \(bad) out of range")
        }
        return Images(count: images.dimensions[0], rows: images.dimensions[1], columns: images.dimensions[2],
                      pixels: images.bytes, labels: labels.bytes.map(Int.init))
    }

    /// What `writeImageFolder` wrote: images per split and class.
    public struct ExportSummary: Sendable {
        public let root: URL
        public let counts: [String: [Int]]
        public var totalImages: Int { counts.values.reduce(0) { $0 + $1.reduce(0, +) } }
    }

    /// Writes `root/{train,validation,test}/<class>/<name>.png`: the first `perClass` training
    /// images of each class for train, the next `validationPerClass` for validation, and the
    /// first `testPerClass` of the official test set for test. Images are RGB PNGs of
    /// `size` x `size` (bicubic from 28x28). The same arguments always write the same files.
    /// An existing non-empty `root` is an error unless `replacingExisting`, which first deletes
    /// its train, validation and test folders (so no image of an earlier export lingers).
    @discardableResult
    public static func writeImageFolder(to root: URL, perClass: Int = 300, size: Int = 28,
                                        validationPerClass: Int? = nil, testPerClass: Int? = nil,
                                        source: URL = defaultDirectory, replacingExisting: Bool = false) throws -> ExportSummary {
        precondition(perClass > 0 && size > 0, "perClass and size must be positive")
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        if !existing.isEmpty {
            guard replacingExisting else { throw FashionMNISTError.outputNotEmpty(path: root.path) }
            for split in ["train", "validation", "test"] {
                try? FileManager.default.removeItem(at: root.appendingPathComponent(split))
            }
        }
        let validationCount = validationPerClass ?? max(1, perClass / 5)
        let testCount = testPerClass ?? max(1, perClass / 5)
        let train = try load(.train, from: source)
        let test = try load(.test, from: source)
        let trainPicks = try pick(train, ranges: [0..<perClass, perClass..<(perClass + validationCount)], split: "train")
        let testPicks = try pick(test, ranges: [0..<testCount], split: "test")
        // File names keep the index in the source file ("train-00042.png"), so an image can be
        // traced back to Fashion-MNIST.
        let jobs: [(images: Images, index: Int, url: URL)] =
            trainPicks[0].map { (train, $0, file(root, "train", train.labels[$0], "train", $0)) }
            + trainPicks[1].map { (train, $0, file(root, "validation", train.labels[$0], "train", $0)) }
            + testPicks[0].map { (test, $0, file(root, "test", test.labels[$0], "test", $0)) }
        for split in ["train", "validation", "test"] {
            for name in classNames {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(split).appendingPathComponent(name),
                                                        withIntermediateDirectories: true)
            }
        }
        var failures = [Error?](repeating: nil, count: jobs.count)
        failures.withUnsafeMutableBufferPointer { slots in
            let slots = SendableBuffer(slots)
            DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
                var image = jobs[j].images.rgbImage(jobs[j].index)
                if size != image.width { image = Resampler.resize(image, width: size, height: size, filter: .bicubic) }
                do { try PNGEncoder.write(image, to: jobs[j].url) } catch { slots.buffer[j] = error }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
        return ExportSummary(root: root, counts: [
            "train": [perClass].repeated(classNames.count),
            "validation": [validationCount].repeated(classNames.count),
            "test": [testCount].repeated(classNames.count),
        ])
    }

    private static func file(_ root: URL, _ split: String, _ label: Int, _ source: String, _ index: Int) -> URL {
        root.appendingPathComponent(split).appendingPathComponent(classNames[label])
            .appendingPathComponent(String(format: "%@-%05d.png", source, index))
    }

    /// For each range, the indices of the images of each class whose rank within their class
    /// falls in that range (file order).
    private static func pick(_ images: Images, ranges: [Range<Int>], split: String) throws -> [[Int]] {
        var byClass = [[Int]](repeating: [], count: classNames.count)
        for (i, label) in images.labels.enumerated() { byClass[label].append(i) }
        let needed = ranges.map(\.upperBound).max() ?? 0
        for (label, members) in byClass.enumerated() where members.count < needed {
            throw FashionMNISTError.notEnoughImages(className: classNames[label], split: split, wanted: needed,
                                                    available: members.count)
        }
        return ranges.map { range in byClass.flatMap { Array($0[range]) }.sorted() }
    }
}

private extension Array {
    func repeated(_ times: Int) -> [Element] { (0..<times).flatMap { _ in self } }
}
