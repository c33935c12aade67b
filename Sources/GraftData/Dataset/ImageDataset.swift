import Foundation

/// One image file and the index of its class (for multi-label data: of each of its classes).
public struct LabeledImage: Sendable, Hashable, Codable {
    public let url: URL
    /// The image's class; for multi-label data the first of `labels`, which is what a
    /// stratified split sorts it by.
    public let label: Int
    /// Every class of the image, ascending: `[label]` for single-label data.
    public let labels: [Int]

    public init(url: URL, label: Int) {
        self.url = url
        self.label = label
        labels = [label]
    }

    /// An image of one or more classes, multi-label data's kind: `labels` sorted and
    /// deduplicated, `label` the one of them given as `primary` (the class to stratify by;
    /// `LabelFileDataset` gives the rarest), else the lowest.
    public init(url: URL, labels: [Int], primary: Int? = nil) {
        precondition(!labels.isEmpty, "a labelled image needs at least one class")
        precondition(primary.map(labels.contains) ?? true, "the primary class \(primary!) is not among \(labels)")
        self.url = url
        self.labels = Array(Set(labels)).sorted()
        label = primary ?? self.labels[0]
    }
}

/// A list of labelled image files (one split of a dataset), in a reproducible order.
public struct ImageDataset: Sendable, Equatable, Codable {
    /// Class names, index = label.
    public let classNames: [String]
    public let samples: [LabeledImage]
    /// Whether an image may have several classes (a label file with a label delimiter): the
    /// classifier then has one sigmoid per class instead of a softmax over them.
    public let isMultiLabel: Bool

    public init(classNames: [String], samples: [LabeledImage], isMultiLabel: Bool = false) {
        self.classNames = classNames
        self.samples = samples
        self.isMultiLabel = isMultiLabel
    }

    public var count: Int { samples.count }

    /// Number of images of each class, index = label (an image of several classes counts in each).
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for sample in samples { for label in sample.labels { counts[label] += 1 } }
        return counts
    }

    /// The same data with only the samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageDataset {
        ImageDataset(classNames: classNames, samples: indices.map { samples[$0] }, isMultiLabel: isMultiLabel)
    }

    /// Multi-hot targets (row-major, indices.count x classes) of the samples at `indices`: 1 for
    /// each class of the image, 0 for the others.
    public func multiHotTargets(_ indices: some Sequence<Int>) -> [Float] {
        var targets: [Float] = []
        for i in indices {
            var row = [Float](repeating: 0, count: classNames.count)
            for label in samples[i].labels { row[label] = 1 }
            targets += row
        }
        return targets
    }
}
