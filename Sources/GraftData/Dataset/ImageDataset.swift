import Foundation

/// One image file and the index of its class.
public struct LabeledImage: Sendable, Hashable {
    public let url: URL
    public let label: Int

    public init(url: URL, label: Int) {
        self.url = url
        self.label = label
    }
}

/// A list of labelled image files (one split of a dataset), in a reproducible order.
public struct ImageDataset: Sendable {
    /// Class names, index = label.
    public let classNames: [String]
    public let samples: [LabeledImage]

    public init(classNames: [String], samples: [LabeledImage]) {
        self.classNames = classNames
        self.samples = samples
    }

    public var count: Int { samples.count }

    /// Number of images of each class, index = label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for sample in samples { counts[sample.label] += 1 }
        return counts
    }
}
