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

extension ImageVerifier {
    /// The split of `urls` (with `labels`) whose images pass `options.verification`. An image
    /// that fails is an error in strict mode, else left out with a warning; a class whose every
    /// image failed is an error naming `classPlace(label)` (its folder, or its label file entry).
    static func split(urls: [URL], labels: [Int], classNames: [String], options: ImageFolderOptions,
                      classPlace: (Int) -> String) throws -> (dataset: ImageDataset, warnings: [String], skipped: [ImageDecodingError]) {
        let failures = failures(of: urls, verification: options.verification, options: options.decoding)
        if options.strict, !failures.isEmpty {
            let ordered = failures.keys.sorted().map { failures[$0]!.description }
            throw DatasetError.unreadableImages(count: failures.count, first: Array(ordered.prefix(10)))
        }
        var samples: [LabeledImage] = [], warnings: [String] = [], skipped: [ImageDecodingError] = []
        var skippedPerClass = [Int](repeating: 0, count: classNames.count)
        for i in urls.indices {
            if let failure = failures[i] {
                warnings.append("warning: skipping \(failure.description)")
                skipped.append(failure)
                skippedPerClass[labels[i]] += 1
            } else {
                samples.append(LabeledImage(url: urls[i], label: labels[i]))
            }
        }
        let dataset = ImageDataset(classNames: classNames, samples: samples)
        for (label, count) in dataset.classCounts.enumerated() where count == 0 && skippedPerClass[label] > 0 {
            throw DatasetError.noUsableImages(classFolder: classPlace(label), skipped: skippedPerClass[label])
        }
        return (dataset, warnings, skipped)
    }
}

/// Lets concurrent workers write disjoint slots of one buffer.
struct SendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
