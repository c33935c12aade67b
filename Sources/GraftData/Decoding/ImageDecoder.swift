import Foundation

/// Decodes JPEG, PNG, WebP, GIF, TIFF and BMP files into 8-bit RGB, choosing the decoder by the
/// file's leading bytes. Stateless and safe to call from many threads at
/// once: each call owns its codec handle.
public enum ImageDecoder {
    /// Reads and decodes the file at `url`.
    public static func decode(contentsOf url: URL, options: DecodingOptions = DecodingOptions()) throws -> RGBImage {
        try decode(readFile(url), name: url.path, options: options)
    }

    /// Decodes an encoded image held in memory; `name` is used in error messages.
    public static func decode(_ data: Data, name: String = "<memory>", options: DecodingOptions = DecodingOptions()) throws -> RGBImage {
        try data.withUnsafeBytes { bytes in
            switch try format(of: bytes, name: name) {
            case .jpeg: return try JPEGDecoder.decode(bytes, name: name, options: options)
            case .png: return try PNGDecoder.decode(bytes, name: name, options: options)
            case .webp: return try WebPDecoder.decode(bytes, name: name, options: options)
            case .gif: return try GIFDecoder.decode(bytes, name: name, options: options)
            case .tiff: return try TIFFDecoder.decode(bytes, name: name, options: options)
            case .bmp: return try BMPDecoder.decode(bytes, name: name, options: options)
            }
        }
    }

    /// The size of the image without decoding its pixels (after the orientation tag of a JPEG
    /// or TIFF).
    public static func dimensions(contentsOf url: URL, options: DecodingOptions = DecodingOptions()) throws -> (width: Int, height: Int) {
        let name = url.path
        return try readFile(url).withUnsafeBytes { bytes in
            switch try format(of: bytes, name: name) {
            case .jpeg: return try JPEGDecoder.dimensions(bytes, name: name, options: options)
            case .png: return try PNGDecoder.dimensions(bytes, name: name, options: options)
            case .webp: return try WebPDecoder.dimensions(bytes, name: name, options: options)
            case .gif: return try GIFDecoder.dimensions(bytes, name: name, options: options)
            case .tiff: return try TIFFDecoder.dimensions(bytes, name: name, options: options)
            case .bmp: return try BMPDecoder.dimensions(bytes, name: name, options: options)
            }
        }
    }

    /// The format the leading bytes announce, or an error showing them.
    public static func format(of bytes: UnsafeRawBufferPointer, name: String) throws -> ImageFormat {
        if let format = ImageFormat(sniffing: bytes) { return format }
        let head = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw ImageDecodingError.notAnImage(file: name, leadingBytes: head.isEmpty ? "none: the file is empty" : head)
    }

    /// The file's bytes. Only a regular file is opened: reading a named pipe would wait for a
    /// writer forever, and a device could be read without end.
    private static func readFile(_ url: URL) throws -> Data {
        switch FileStatus.of(path: url.path) {
        case .failure(let error):
            throw ImageDecodingError.unreadable(file: url.path, reason: error.reason)
        case .success(let status):
            switch status.kind {
            case .regular: break
            case .directory: throw ImageDecodingError.notARegularFile(file: url.path, kind: "a folder")
            case .other(let kind): throw ImageDecodingError.notARegularFile(file: url.path, kind: kind)
            }
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ImageDecodingError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }
}
