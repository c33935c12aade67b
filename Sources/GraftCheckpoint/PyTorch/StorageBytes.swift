/// Where a storage's elements lie: a range of a byte buffer (the whole file for legacy
/// checkpoints, an extracted entry for zip ones), already checked to hold `elementCount`.
struct StorageBytes {
    let buffer: [UInt8]
    let start: Int
    let type: ElementType
    let elementCount: Int
}
