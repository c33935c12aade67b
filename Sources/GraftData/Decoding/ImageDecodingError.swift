import Foundation

/// Why an image could not be decoded. Every case names the file, so that a warning line or a
/// thrown error points the user at the one image to fix or delete.
public enum ImageDecodingError: Error, Equatable, Codable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    /// A named pipe, socket, device or folder: never opened (a pipe would block the reader).
    case notARegularFile(file: String, kind: String)
    case notAnImage(file: String, leadingBytes: String)
    case corrupt(file: String, format: String, reason: String)
    /// A well-formed file using a feature of its format that Graft does not read (a BMP holding
    /// a JPEG, a TIFF layout libtiff cannot turn into RGB, ...).
    case unsupportedVariant(file: String, format: String, reason: String)
    case tooManyPixels(file: String, width: Int, height: Int, limit: Int)

    public var file: String {
        switch self {
        case .unreadable(let file, _), .notARegularFile(let file, _), .notAnImage(let file, _), .corrupt(let file, _, _),
             .unsupportedVariant(let file, _, _), .tooManyPixels(let file, _, _, _):
            return file
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the file (\(reason))"
        case .notARegularFile(let file, let kind):
            return "\(file): not a regular file but \(kind); only regular files are read"
        case .notAnImage(let file, let leadingBytes):
            return "\(file): not a \(ImageFormat.readableList) image (it starts with bytes \(leadingBytes))"
        case .corrupt(let file, let format, let reason):
            return "\(file): corrupt or truncated \(format) (\(reason))"
        case .unsupportedVariant(let file, let format, let reason):
            return "\(file): a kind of \(format) that Graft cannot decode (\(reason)); convert it to PNG"
        case .tooManyPixels(let file, let width, let height, let limit):
            // A hostile TIFF header can claim 2^32 x 2^32, whose product does not fit an Int.
            let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
            return "\(file): \(width)x\(height) is \(overflow ? "more than \(Int.max)" : "\(pixels)") pixels, over the limit of \(limit) "
                + "(a guard against decompression bombs; raise DecodingOptions.pixelLimit if the image is genuine)"
        }
    }
}

extension ImageDecodingError: LocalizedError {
    public var errorDescription: String? { description }
}
