import Foundation
import GraftCore

/// Measures the input pipeline alone: how many images per second the loader turns from files
/// into augmented, normalized batches. Compare with a training step's images per second to see
/// whether the loader can keep the model fed.
public enum DataBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public let threads: Int
        public let batchSize: Int
        public let images: Int
        public let seconds: Double
        /// Decode + augment + batch, end to end, from the consumer's side.
        public var imagesPerSecond: Double { Double(images) / seconds }
        /// Decoding alone on one thread, for comparison.
        public let decodeOnlyImagesPerSecond: Double
        /// CPU time (all threads) per image: the loader's cost whatever else runs on the machine.
        public let cpuMillisecondsPerImage: Double
        public let height: Int
        public let width: Int

        public var description: String {
            String(format: "%d thread%@, batch %d, %dx%d: %.0f images/s, %.2f ms CPU per image "
                   + "(decode alone, 1 thread: %.0f images/s; %d images in %.2f s)",
                   threads, threads == 1 ? "" : "s", batchSize, width, height, imagesPerSecond,
                   cpuMillisecondsPerImage, decodeOnlyImagesPerSecond, images, seconds)
        }
    }

    /// Runs `batches` batches of the training pipeline over the images of `directory` (any
    /// layout `ImageFolder` accepts) with the cache off, so every image is decoded each time.
    public static func run(directory: URL, threads: Int, batchSize: Int = 32, batches: Int = 20,
                           preprocessing: Preprocessing = .imageNet, augmentation: Augmentation = .light,
                           seed: UInt64 = 0) throws -> Result {
        let folder = try ImageFolder(root: directory, options: ImageFolderOptions(verification: .none))
        let dataset = folder.train
        let loader = DataLoader(dataset: dataset,
                                transform: ImageTransform(preprocessing: preprocessing, augmentation: augmentation),
                                options: DataLoaderOptions(batchSize: batchSize, shuffle: true, seed: seed,
                                                           threads: threads, cache: .off))
        let decodeSample = Array(dataset.samples.prefix(64))
        let decodeStart = Date()
        for sample in decodeSample { _ = try ImageDecoder.decode(contentsOf: sample.url) }
        let decodeSeconds = Date().timeIntervalSince(decodeStart)

        var images = 0
        let cpuStart = processCPUSeconds()
        let start = Date()
        var epoch = 0
        outer: while images < batches * batchSize {
            let batchesBefore = images
            for batch in loader.epoch(epoch) {
                images += batch.count
                if images >= batches * batchSize { break outer }
            }
            epoch += 1
            if images == batchesBefore { break }  // a dataset smaller than one batch
        }
        let seconds = Date().timeIntervalSince(start)
        let cpuSeconds = processCPUSeconds() - cpuStart
        return Result(threads: threads, batchSize: batchSize, images: images, seconds: seconds,
                      decodeOnlyImagesPerSecond: Double(decodeSample.count) / max(decodeSeconds, 1e-9),
                      cpuMillisecondsPerImage: 1000 * cpuSeconds / Double(max(images, 1)),
                      height: preprocessing.height, width: preprocessing.width)
    }

    /// User plus system CPU time of this process so far.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Writes a folder of synthetic photo-sized JPEGs (textured, so they compress like photos)
    /// to benchmark on when no real dataset is at hand.
    public static func writeSyntheticPhotos(to root: URL, classes: Int = 2, perClass: Int = 64,
                                            width: Int = 500, height: Int = 375, seed: UInt64 = 0) throws {
        for c in 0..<classes {
            let folder = root.appendingPathComponent("class\(c)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<perClass {
                var generator = SeedDerivation.generator(seed: seed, purpose: .sample, UInt64(c), UInt64(i))
                let image = syntheticPhoto(width: width, height: height, generator: &generator)
                try JPEGEncoder.encode(image, quality: 90).write(to: folder.appendingPathComponent(String(format: "%04d.jpg", i)))
            }
        }
    }

    static func syntheticPhoto(width: Int, height: Int, generator: inout SeededGenerator) -> RGBImage {
        let fx = Double(generator.uniform(0.01, 0.05)), fy = Double(generator.uniform(0.01, 0.05))
        let tint = (generator.uniform(0, 255), generator.uniform(0, 255), generator.uniform(0, 255))
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let wave = 0.5 + 0.5 * sin(Double(x) * fx) * cos(Double(y) * fy)
                let noise = Double(generator.next() % 32) - 16
                let i = (y * width + x) * 3
                pixels[i] = UInt8(max(0, min(255, tint.0 * wave + noise)))
                pixels[i + 1] = UInt8(max(0, min(255, tint.1 * (1 - wave) + noise)))
                pixels[i + 2] = UInt8(max(0, min(255, 255 * Double(y) / Double(height) + noise)))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
