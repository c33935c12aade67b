import Foundation
import GraftData

/// A tiny image folder written by the tests: three classes of 32x32 PNGs told apart by colour,
/// with per-image noise so no two images are the same.
enum SyntheticImages {
    static let classNames = ["blue", "green", "red"]

    /// `classNames` (at most three) name the folders of the blue, green and red images, in that order.
    static func folder(trainPerClass: Int = 8, validationPerClass: Int = 4, classNames: [String] = classNames) throws -> URL {
        precondition((1...3).contains(classNames.count), "one to three classes")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("graft-training-\(UUID().uuidString)")
        var seed: UInt64 = 1
        for (split, count) in [("train", trainPerClass), ("validation", validationPerClass)] {
            for (c, name) in classNames.enumerated() {
                let folder = root.appendingPathComponent(split).appendingPathComponent(name)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for i in 0..<count {
                    var pixels = [UInt8](repeating: 0, count: 32 * 32 * 3)
                    for p in 0..<(32 * 32) {
                        for channel in 0..<3 {
                            seed = seed &* 6364136223846793005 &+ 1442695040888963407
                            let noise = Int(seed >> 59)  // 0...31
                            // Class colour: channel (2 - c) bright (blue, green, red in RGB order).
                            let base = channel == 2 - c ? 200 : 40
                            pixels[p * 3 + channel] = UInt8(base + noise)
                        }
                    }
                    try PNGEncoder.write(RGBImage(width: 32, height: 32, pixels: pixels),
                                         to: folder.appendingPathComponent("\(i).png"))
                }
            }
        }
        return root
    }
}
