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
    /// The split of `samples` whose images pass `options.verification`. An image
    /// that fails is an error in strict mode, else left out with a warning; a class whose every
    /// image failed is an error naming `classPlace(label)` (its folder, or its label file entry).
    static func split(urls: [URL], labels: [Int], classNames: [String], options: ImageFolderOptions,
                      classPlace: (Int) -> String) throws -> (dataset: ImageDataset, warnings: [String], skipped: [ImageDecodingError]) {
        try split(zip(urls, labels).map { LabeledImage(url: $0, label: $1) }, classNames: classNames, isMultiLabel: false,
                  options: options, classPlace: classPlace)
    }

    static func split(_ listed: [LabeledImage], classNames: [String], isMultiLabel: Bool, options: ImageFolderOptions,
                      classPlace: (Int) -> String) throws -> (dataset: ImageDataset, warnings: [String], skipped: [ImageDecodingError]) {
        let failures = failures(of: listed.map(\.url), verification: options.verification, options: options.decoding)
        if options.strict, !failures.isEmpty {
            let ordered = failures.keys.sorted().map { failures[$0]!.description }
            throw DatasetError.unreadableImages(count: failures.count, first: Array(ordered.prefix(10)))
        }
        var samples: [LabeledImage] = [], warnings: [String] = [], skipped: [ImageDecodingError] = []
        var skippedPerClass = [Int](repeating: 0, count: classNames.count)
        for (i, sample) in listed.enumerated() {
            if let failure = failures[i] {
                warnings.append("warning: skipping \(failure.description)")
                skipped.append(failure)
                for label in sample.labels { skippedPerClass[label] += 1 }
            } else {
                samples.append(sample)
            }
        }
        let dataset = ImageDataset(classNames: classNames, samples: samples, isMultiLabel: isMultiLabel)
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
