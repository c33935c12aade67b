/// The encodings Graft reads, recognised by their leading bytes rather than by the file name,
/// so a PNG saved as .jpg still decodes and a text file named .jpg gives a clear error.
public enum ImageFormat: String, Sendable {
    case jpeg = "JPEG"
    case png = "PNG"

    /// File name extensions (lower case) that a dataset folder treats as images.
    public static let fileExtensions: Set<String> = ["jpg", "jpeg", "jpe", "jfif", "png"]

    /// Extensions of image formats Graft cannot decode; a folder full of them deserves a warning
    /// rather than silence.
    static let unsupportedImageExtensions: Set<String> = ["gif", "bmp", "webp", "tif", "tiff", "heic", "heif", "avif"]

    init?(sniffing bytes: UnsafeRawBufferPointer) {
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF {
            self = .jpeg
        } else if bytes.count >= 8, Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            self = .png
        } else {
            return nil
        }
    }
}
