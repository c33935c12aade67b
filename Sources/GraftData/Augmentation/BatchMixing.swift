import GraftCore

/// Batch-level mixing: with `probability`, a batch is blended with itself in reverse order,
/// either whole images (MixUp) or a pasted rectangle (CutMix), and its targets become soft.
/// With both alphas set, each mixed batch picks one of the two at random.
public struct BatchMixing: Sendable, Equatable {
    public var probability: Double
    /// Beta(alpha, alpha) for MixUp's weight; nil disables MixUp.
    public var mixUpAlpha: Double?
    /// Beta(alpha, alpha) for CutMix's area; nil disables CutMix.
    public var cutMixAlpha: Double?

    public init(probability: Double = 1, mixUpAlpha: Double? = 0.2, cutMixAlpha: Double? = 1.0) {
        self.probability = probability
        self.mixUpAlpha = mixUpAlpha
        self.cutMixAlpha = cutMixAlpha
    }
}

extension BatchMixing {
    /// Mixes a batch in place with its own reversal and returns soft targets (n x classes, rows
    /// summing to 1), or nil when the draw says this batch stays unmixed.
    func apply(to images: UnsafeMutablePointer<Float>, labels: [Int], classCount: Int, channels: Int,
               height: Int, width: Int, generator: inout SeededGenerator) -> [Float]? {
        let oneHot = labels.flatMap { label in (0..<classCount).map { $0 == label ? Float(1) : 0 } }
        return apply(to: images, targets: oneHot, classCount: classCount, channels: channels, height: height, width: width,
                     generator: &generator)
    }

    /// The same with the batch's unmixed `targets` (n x classes: one-hot, or multi-hot for
    /// multi-label data), which mix with the images' weights.
    func apply(to images: UnsafeMutablePointer<Float>, targets unmixed: [Float], classCount: Int, channels: Int,
               height: Int, width: Int, generator: inout SeededGenerator) -> [Float]? {
        let n = unmixed.count / max(1, classCount)
        guard n >= 2, generator.chance(probability) else { return nil }
        let useCutMix: Bool
        switch (mixUpAlpha, cutMixAlpha) {
        case (nil, nil): return nil
        case (.some, nil): useCutMix = false
        case (nil, .some): useCutMix = true
        case (.some, .some): useCutMix = generator.chance(0.5)
        }
        let sampleSize = channels * height * width
        // Mixing with the reversed batch needs the partners' original pixels.
        let original = Array(UnsafeBufferPointer(start: images, count: n * sampleSize))
        var lambda: Double
        if useCutMix {
            lambda = generator.symmetricBeta(cutMixAlpha!)
            let cutFraction = (1 - lambda).squareRoot()
            let cutW = Int(Double(width) * cutFraction), cutH = Int(Double(height) * cutFraction)
            let cx = generator.index(below: width), cy = generator.index(below: height)
            let x0 = max(cx - cutW / 2, 0), x1 = min(cx + cutW / 2, width)
            let y0 = max(cy - cutH / 2, 0), y1 = min(cy + cutH / 2, height)
            // The weight follows the area actually pasted after clipping at the border.
            lambda = 1 - Double((x1 - x0) * (y1 - y0)) / Double(width * height)
            for i in 0..<n {
                let partner = n - 1 - i
                for c in 0..<channels {
                    for y in y0..<y1 {
                        let row = (c * height + y) * width
                        for x in x0..<x1 {
                            images[i * sampleSize + row + x] = original[partner * sampleSize + row + x]
                        }
                    }
                }
            }
        } else {
            lambda = generator.symmetricBeta(mixUpAlpha!)
            let a = Float(lambda), b = Float(1 - lambda)
            for i in 0..<n {
                let partner = n - 1 - i
                for k in 0..<sampleSize {
                    images[i * sampleSize + k] = a * original[i * sampleSize + k] + b * original[partner * sampleSize + k]
                }
            }
        }
        let a = Float(lambda), b = Float(1 - lambda)
        var targets = [Float](repeating: 0, count: n * classCount)
        for i in 0..<n {
            for j in 0..<classCount {
                targets[i * classCount + j] = a * unmixed[i * classCount + j] + b * unmixed[(n - 1 - i) * classCount + j]
            }
        }
        return targets
    }
}
