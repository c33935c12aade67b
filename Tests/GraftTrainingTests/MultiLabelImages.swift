import Foundation
import GraftData

/// A tiny multi-label data set written by the tests: 32x32 grey PNGs on which each of three
/// shapes may appear (a red block top left, a green block top right, a blue bar along the
/// bottom), every non-empty combination the same number of times, with per-image noise; and a
/// label file listing each image's shapes separated by spaces, with a split column.
enum MultiLabelImages {
    static let classNames = ["blue", "green", "red"]
    /// Every non-empty subset of the classes, as sorted names.
    static let combinations: [[String]] = (1..<8).map { mask in classNames.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element) }

    /// The folder (images under images/) and its labels.csv (columns image, tags, split).
    static func folder(trainPerCombination: Int = 4, validationPerCombination: Int = 2) throws -> (root: URL, labels: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("graft-multilabel-\(UUID().uuidString)")
        let images = root.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        var rows = ["image,tags,split"]
        var seed: UInt64 = 5
        for (split, count) in [("train", trainPerCombination), ("valid", validationPerCombination)] {
            for (c, tags) in combinations.enumerated() {
                for i in 0..<count {
                    var pixels = [UInt8](repeating: 0, count: 32 * 32 * 3)
                    for y in 0..<32 {
                        for x in 0..<32 {
                            var colour = [110, 110, 110]
                            if tags.contains("red") && x < 14 && y < 14 { colour = [210, 40, 40] }
                            if tags.contains("green") && x >= 18 && y < 14 { colour = [40, 200, 40] }
                            if tags.contains("blue") && y >= 22 { colour = [40, 40, 210] }
                            for channel in 0..<3 {
                                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                                pixels[(y * 32 + x) * 3 + channel] = UInt8(colour[channel] + Int(seed >> 59) - 16)
                            }
                        }
                    }
                    let name = "\(split)-\(c)-\(i).png"
                    try PNGEncoder.write(RGBImage(width: 32, height: 32, pixels: pixels), to: images.appendingPathComponent(name))
                    rows.append("images/\(name),\(tags.joined(separator: " ")),\(split)")
                }
            }
        }
        let labels = root.appendingPathComponent("labels.csv")
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: labels)
        return (root, labels)
    }
}
