import Foundation

/// Decoding speed per format on one thread, the files read into memory first so that only the
/// decoder is timed: what a loader thread can turn into pixels, format by format.
public enum DecodeBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public let format: ImageFormat
        public let files: Int
        /// Decodes timed: every file, `repeats` times.
        public let decodes: Int
        public let seconds: Double
        /// Encoded bytes and decoded pixels of one pass over the files.
        public let bytes: Int
        public let pixels: Int

        public var imagesPerSecond: Double { Double(decodes) / seconds }
        public var megabytesPerSecond: Double { Double(bytes) * Double(decodes / files) / seconds / 1e6 }
        public var megapixelsPerSecond: Double { Double(pixels) * Double(decodes / files) / seconds / 1e6 }

        public var description: String {
            format.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
                + String(format: "%4d files, %6.1f KB and %5.2f MP each: %8.1f images/s, %7.1f MB/s, %6.1f MP/s", files, Double(bytes) / Double(files) / 1e3, Double(pixels) / Double(files) / 1e6,
                   imagesPerSecond, megabytesPerSecond, megapixelsPerSecond)
        }
    }

    /// One result per format found among `files`, in `ImageFormat`'s order. A file that is not
    /// an image or does not decode is an error naming it: a benchmark of a broken set means little.
    public static func run(files: [URL], repeats: Int = 3, options: DecodingOptions = DecodingOptions()) throws -> [Result] {
        precondition(repeats >= 1, "repeats must be at least 1, not \(repeats)")
        var byFormat: [ImageFormat: [(name: String, data: Data)]] = [:]
        for file in files {
            let data = try Data(contentsOf: file)
            let format = try data.withUnsafeBytes { try ImageDecoder.format(of: $0, name: file.path) }
            byFormat[format, default: []].append((file.path, data))
        }
        return try ImageFormat.allCases.compactMap { format in
            guard let inputs = byFormat[format] else { return nil }
            var pixels = 0
            for input in inputs {  // once untimed: warms the caches and counts the pixels
                let image = try ImageDecoder.decode(input.data, name: input.name, options: options)
                pixels += image.width * image.height
            }
            let start = Date()
            for _ in 0..<repeats {
                for input in inputs { _ = try ImageDecoder.decode(input.data, name: input.name, options: options) }
            }
            return Result(format: format, files: inputs.count, decodes: inputs.count * repeats,
                          seconds: max(Date().timeIntervalSince(start), 1e-9), bytes: inputs.reduce(0) { $0 + $1.data.count },
                          pixels: pixels)
        }
    }
}
