import Foundation
import GraftData

/// A small JPEG of an image, as a `data:` URI a report embeds directly (no files beside it).
enum Thumbnail {
    /// The image scaled (up or down, aspect kept) so that its longer side is `maxSide`, encoded
    /// with GraftData's JPEG encoder.
    static func dataURI(of image: RGBImage, maxSide: Int, quality: Int = 85) throws -> String {
        let scale = Double(maxSide) / Double(max(image.width, image.height))
        let width = max(1, Int((Double(image.width) * scale).rounded()))
        let height = max(1, Int((Double(image.height) * scale).rounded()))
        let small = (width, height) == (image.width, image.height)
            ? image : Resampler.resize(image, width: width, height: height, filter: .bilinear)
        return "data:image/jpeg;base64," + (try JPEGEncoder.encode(small, quality: quality)).base64EncodedString()
    }

    /// The thumbnail of an image file, or nil when it cannot be read any more.
    static func dataURI(contentsOf url: URL, maxSide: Int) -> String? {
        guard let image = try? ImageDecoder.decode(contentsOf: url) else { return nil }
        return try? dataURI(of: image, maxSide: maxSide)
    }
}
