import GraftCore
import GraftData

extension WorkerGroup {
    /// Throws `TrainingError.workersDisagree` on every worker unless all of them hold the same
    /// `digest` of `what` as worker 0, naming the workers that differ.
    func checkAgreement(on what: String, digest: UInt64) throws {
        let leader = try broadcast(withUnsafeBytes(of: digest.littleEndian, Array.init))
        let differs: Float = leader == withUnsafeBytes(of: digest.littleEndian, Array.init) ? 0 : 1
        let ranks = try gather([differs]).enumerated().filter { $0.element != 0 }.map(\.offset)
        if !ranks.isEmpty { throw TrainingError.workersDisagree(what: what, ranks: ranks, size: size) }
    }
}

/// FNV-1a over bytes: a cheap fingerprint for comparing what workers loaded, not a checksum
/// against tampering.
struct Fingerprint {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }

    mutating func add(_ text: String) { add(text.utf8); add([0]) }

    mutating func add(_ number: Int) { withUnsafeBytes(of: Int64(number).littleEndian) { add($0) } }

    /// The file list and labels of `dataset`, in order.
    static func of(_ dataset: ImageDataset) -> UInt64 {
        var fingerprint = Fingerprint()
        fingerprint.add(dataset.count)
        for name in dataset.classNames { fingerprint.add(name) }
        for sample in dataset.samples {
            fingerprint.add(sample.url.path)
            for label in sample.labels { fingerprint.add(label) }
        }
        return fingerprint.value
    }

    /// The names, shapes and values of `tensors`.
    static func of(_ tensors: [(name: String, tensor: Tensor)]) -> UInt64 {
        var fingerprint = Fingerprint()
        for (name, tensor) in tensors {
            fingerprint.add(name)
            for dimension in tensor.shape { fingerprint.add(dimension) }
            tensor.withUnsafeBuffer { fingerprint.add(UnsafeRawBufferPointer($0)) }
        }
        return fingerprint.value
    }
}
