import GraftCore

/// Turns a decoded image into one normalized sample: the preprocessing every sample gets, plus
/// augmentation when training. It works in two stages so the first can be cached:
/// `prepare` (deterministic shrink of large photos) and `render` (crop, augment, normalize).
public struct ImageTransform: Sendable, Equatable {
    public var preprocessing: Preprocessing
    /// nil for evaluation: the resize rule alone, no randomness.
    public var augmentation: Augmentation?
    /// Without augmentation: the test-time view to render instead of the plain one.
    public var view: TestTimeView?

    public init(preprocessing: Preprocessing, augmentation: Augmentation? = nil) {
        self.preprocessing = preprocessing
        self.augmentation = augmentation
    }

    /// Number of floats one sample occupies in a batch.
    public var sampleSize: Int { 3 * preprocessing.height * preprocessing.width }

    /// Shrinks photos much larger than needed (shorter side above twice `cacheShorterSide`) with
    /// the antialiased filter, keeping the aspect ratio, so the cache holds small images and
    /// later crops resample few pixels. Moderately larger images are left alone: a second
    /// resample would cost more than it saves. Deterministic, so its result can be cached and
    /// every epoch starts from the same pixels whether or not the cache is on.
    public func prepare(_ decoded: RGBImage) -> RGBImage {
        let side = preprocessing.cacheShorterSide
        guard min(decoded.width, decoded.height) > 2 * side else { return decoded }
        return Resampler.resize(decoded, shorterSide: side, filter: preprocessing.filter)
    }

    /// The sample for `prepared`, normalized, written to `destination` (3 x height x width floats).
    public func render(_ prepared: RGBImage, generator: inout SeededGenerator, into destination: UnsafeMutablePointer<Float>) {
        let p = preprocessing
        guard let augmentation, !augmentation.isIdentity else {
            let image = view.map { rendered(prepared, view: $0) } ?? resizedByRule(prepared)
            SampleWriter.write(image, normalization: p.normalization, channelOrder: p.channelOrder, to: destination)
            return
        }
        // The costlier transforms draw their magnitudes from streams of their own (seeded from
        // the sample's), so whether one fires does not shift the random numbers of the next.
        var image: PlanarImage
        if let crop = augmentation.randomResizedCrop {
            let box = crop.box(width: prepared.width, height: prepared.height, generator: &generator)
            image = Resampler.resample(prepared, box: box, width: p.width, height: p.height, filter: p.filter)
        } else {
            image = resizedByRule(prepared)
        }
        if generator.chance(augmentation.horizontalFlip) { image = image.flippedHorizontally() }
        if generator.chance(augmentation.verticalFlip) { image = image.flippedVertically() }
        if let affine = augmentation.affine {
            var local = SeedDerivation.generator(seed: generator.next(), purpose: .sample)
            if generator.chance(affine.probability) { image = affine.apply(to: image, generator: &local) }
        }
        if let color = augmentation.color {
            var local = SeedDerivation.generator(seed: generator.next(), purpose: .sample)
            if generator.chance(color.probability) { color.apply(to: &image, generator: &local) }
        }
        SampleWriter.write(image, normalization: p.normalization, channelOrder: p.channelOrder, to: destination)
        if let erasing = augmentation.erasing {
            var local = SeedDerivation.generator(seed: generator.next(), purpose: .sample)
            if generator.chance(erasing.probability) {
                erasing.apply(to: destination, width: p.width, height: p.height, generator: &local)
            }
        }
    }

    /// The evaluation geometry: the preprocessing's resize rule.
    func resizedByRule(_ image: RGBImage) -> PlanarImage {
        let p = preprocessing
        var source = image
        if let square = p.resize.cropFirst(sourceWidth: image.width, sourceHeight: image.height) {
            source = image.cropped(x: square.x, y: square.y, width: square.side, height: square.side)
        }
        let box = p.resize.box(sourceWidth: source.width, sourceHeight: source.height,
                               outputWidth: p.width, outputHeight: p.height)
        if p.resize == .pad { return letterboxed(source, box: box) }
        return Resampler.resample(source, box: box, width: p.width, height: p.height, filter: p.filter)
    }

    /// `box` of `image` resized to fit the output with its aspect ratio kept, centred on black.
    func letterboxed(_ image: RGBImage, box: CropBox) -> PlanarImage {
        let p = preprocessing
        let scale = min(Double(p.width) / box.width, Double(p.height) / box.height)
        let width = min(p.width, max(1, Int((box.width * scale).rounded())))
        let height = min(p.height, max(1, Int((box.height * scale).rounded())))
        let fitted = Resampler.resample(image, box: box, width: width, height: height, filter: p.filter)
        guard width != p.width || height != p.height else { return fitted }
        var canvas = PlanarImage(width: p.width, height: p.height)
        let left = (p.width - width) / 2, top = (p.height - height) / 2
        for channel in 0..<3 {
            for y in 0..<height {
                let from = (channel * height + y) * width, to = (channel * p.height + top + y) * p.width + left
                canvas.values[to..<(to + width)] = fitted.values[from..<(from + width)]
            }
        }
        return canvas
    }

    /// One sample as a (3, height, width) array, rendered from the full decoded image (no
    /// `prepare` shrink, so evaluation matches a reference pipeline exactly): for single-image
    /// prediction, previewing augmentations and tests.
    public func render(_ decoded: RGBImage, seed: UInt64 = 0) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        var out = [Float](repeating: 0, count: sampleSize)
        out.withUnsafeMutableBufferPointer { render(decoded, generator: &generator, into: $0.baseAddress!) }
        return out
    }
}
