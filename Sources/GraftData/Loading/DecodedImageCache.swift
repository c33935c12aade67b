import Foundation

/// Prepared (decoded and shrunk) images by sample index, up to a byte budget. Shared by the
/// loader's threads; what it holds equals what a fresh decode gives, so it never changes batches.
final class DecodedImageCache: @unchecked Sendable {
    private let lock = NSLock()
    private var images: [Int: RGBImage] = [:]
    private var usedBytes = 0
    let budgetBytes: Int

    init(budgetBytes: Int) { self.budgetBytes = budgetBytes }

    func image(at index: Int) -> RGBImage? {
        lock.lock(); defer { lock.unlock() }
        return images[index]
    }

    func store(_ image: RGBImage, at index: Int) {
        lock.lock(); defer { lock.unlock() }
        guard images[index] == nil, usedBytes + image.byteCount <= budgetBytes else { return }
        images[index] = image
        usedBytes += image.byteCount
    }

    var bytes: Int {
        lock.lock(); defer { lock.unlock() }
        return usedBytes
    }

    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return images.count
    }

    /// Estimated size of a dataset's prepared images, from the headers of up to `sampleCount`
    /// files spread over the dataset (cheap: no pixels are decoded). Photos much larger than
    /// needed shrink to between one and two times `shorterSide` (DCT scaling or `prepare`);
    /// smaller ones are kept as they are.
    static func estimatedBytes(of dataset: ImageDataset, shorterSide: Int, options: DecodingOptions,
                               sampleCount: Int = 32) -> Int {
        guard dataset.count > 0 else { return 0 }
        let step = max(1, dataset.count / sampleCount)
        var total = 0.0, sampled = 0
        for i in stride(from: 0, to: dataset.count, by: step) {
            guard let (w, h) = try? ImageDecoder.dimensions(contentsOf: dataset.samples[i].url, options: options) else { continue }
            let shorter = Double(min(w, h))
            let scale = shorter > Double(2 * shorterSide) ? 1.5 * Double(shorterSide) / shorter : 1
            total += Double(w) * Double(h) * scale * scale * 3
            sampled += 1
        }
        guard sampled > 0 else { return 0 }
        return Int(total / Double(sampled) * Double(dataset.count))
    }
}
