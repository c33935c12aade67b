import GraftCore

/// The pixels of one batch while its samples are being produced.
final class BatchBuffer: @unchecked Sendable {
    let pixels: UnsafeMutablePointer<Float>
    let floatCount: Int
    let sampleIndices: [Int]
    let labels: [Int]
    let wholeBatchLabels: [Int]
    var remaining: Int
    var targets: [Float]?

    init(sampleIndices: [Int], labels: [Int], wholeBatchLabels: [Int], sampleSize: Int) {
        self.sampleIndices = sampleIndices
        self.labels = labels
        self.wholeBatchLabels = wholeBatchLabels
        floatCount = sampleIndices.count * sampleSize
        pixels = .allocate(capacity: floatCount)
        remaining = sampleIndices.count
    }

    deinit { pixels.deallocate() }

    func makeBatch(epoch: Int, index: Int, height: Int, width: Int, classCount: Int) -> Batch {
        let n = sampleIndices.count
        let images = Tensor(shape: [n, 3, height, width],
                            values: Array(UnsafeBufferPointer(start: pixels, count: floatCount)))
        return Batch(images: images, labels: labels, targets: targets.map { Tensor(shape: [n, classCount], values: $0) },
                     sampleIndices: sampleIndices, epoch: epoch, index: index, wholeBatchLabels: wholeBatchLabels)
    }
}
