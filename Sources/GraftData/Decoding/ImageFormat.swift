/// The encodings Graft reads, recognised by their leading bytes rather than by the file name,
/// so a PNG saved as .jpg still decodes and a text file named .jpg gives a clear error.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg = "JPEG"
    case png = "PNG"
    case webp = "WebP"
    case gif = "GIF"
    case tiff = "TIFF"
    case bmp = "BMP"

    /// File name extensions (lower case) that a dataset folder treats as images. Which decoder
    /// runs is still decided by the file's content.
    public static let fileExtensions: Set<String> = ["jpg", "jpeg", "jpe", "jfif", "png", "webp", "gif", "tif", "tiff",
                                                     "bmp", "dib"]

    /// Extensions of image formats Graft cannot decode; a folder full of them deserves a warning
    /// rather than silence.
    static let unsupportedImageExtensions: Set<String> = ["heic", "heif", "avif", "jxl", "jp2", "psd", "ico"]

    /// The formats for people to read: "JPEG, PNG, WebP, GIF, TIFF or BMP".
    public static var readableList: String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    init?(sniffing bytes: UnsafeRawBufferPointer) {
        func starts(with prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && zip(bytes[offset...], prefix).allSatisfy { $0 == $1 }
        }
        if starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if starts(with: Array("RIFF".utf8)), starts(with: Array("WEBP".utf8), at: 8) {
            self = .webp
        } else if starts(with: Array("GIF87a".utf8)) || starts(with: Array("GIF89a".utf8)) {
            self = .gif
        } else if starts(with: [0x49, 0x49, 0x2A, 0x00]) || starts(with: [0x4D, 0x4D, 0x00, 0x2A])
                    || starts(with: [0x49, 0x49, 0x2B, 0x00]) || starts(with: [0x4D, 0x4D, 0x00, 0x2B]) {
            self = .tiff  // classic and BigTIFF, little- and big-endian
        } else if starts(with: Array("BM".utf8)) {
            self = .bmp
        } else {
            return nil
        }
    }
}
