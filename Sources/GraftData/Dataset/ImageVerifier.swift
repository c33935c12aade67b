import Foundation

/// Checks many images on all cores, keeping results in input order so warnings come out in the
/// same order on every run.
enum ImageVerifier {
    static func failures(of urls: [URL], verification: ImageVerification,
                         options: DecodingOptions) -> [Int: ImageDecodingError] {
        guard verification != .none, !urls.isEmpty else { return [:] }
        var results = [ImageDecodingError?](repeating: nil, count: urls.count)
        results.withUnsafeMutableBufferPointer { slots in
            let slots = SendableBuffer(slots)
            DispatchQueue.concurrentPerform(iterations: urls.count) { i in
                do {
                    switch verification {
                    case .decode: _ = try ImageDecoder.decode(contentsOf: urls[i], options: options)
                    case .header: _ = try ImageDecoder.dimensions(contentsOf: urls[i], options: options)
                    case .none: break
                    }
                } catch let error as ImageDecodingError {
                    slots.buffer[i] = error
                } catch {
                    slots.buffer[i] = .unreadable(file: urls[i].path, reason: "\(error)")
                }
            }
        }
        var failures: [Int: ImageDecodingError] = [:]
        for (i, result) in results.enumerated() { if let result { failures[i] = result } }
        return failures
    }
}

/// Lets concurrent workers write disjoint slots of one buffer.
struct SendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
