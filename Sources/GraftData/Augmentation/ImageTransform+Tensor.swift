import GraftCore

extension ImageTransform {
    /// Decoded images as one (N, 3, height, width) tensor, each rendered with its index as the
    /// seed: what `graft predict` needs for a handful of files, without a dataset or a loader.
    public func tensor(for images: [RGBImage]) -> Tensor {
        precondition(!images.isEmpty, "no images to put in a tensor")
        var values = [Float](repeating: 0, count: images.count * sampleSize)
        values.withUnsafeMutableBufferPointer { out in
            for (i, image) in images.enumerated() {
                var generator = SeededGenerator(seed: UInt64(i))
                render(image, generator: &generator, into: out.baseAddress! + i * sampleSize)
            }
        }
        return Tensor(shape: [images.count, 3, preprocessing.height, preprocessing.width], values: values)
    }
}
