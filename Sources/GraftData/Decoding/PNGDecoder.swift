import CPNG
import Foundation

/// PNG decoding with libpng's simplified API, which expands palettes and grayscale, reduces
/// 16-bit samples and composites alpha onto a background in one call, and reports errors
/// without setjmp/longjmp (which Swift cannot survive).
enum PNGDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> RGBImage {
        let reader = try Reader(bytes, name: name)
        try reader.checkPixelLimit(options)
        let image = reader.image
        image.pointee.format = UInt32(PNG_FORMAT_RGB)
        // Without this flag libpng takes 16-bit samples in a file with no gamma chunk as linear
        // light and brightens them on the way to 8-bit sRGB; such files are almost always sRGB
        // already (Pillow simply keeps the high byte).
        image.pointee.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let width = reader.width, height = reader.height
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var background = png_color(red: options.background.red, green: options.background.green,
                                   blue: options.background.blue)
        let ok = pixels.withUnsafeMutableBytes { out in
            png_image_finish_read(image, &background, out.baseAddress, Int32(width * 3), nil)
        }
        reader.finished = true
        guard ok != 0 else {
            throw ImageDecodingError.corrupt(file: name, format: "PNG", reason: message(of: image.pointee))
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func dimensions(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> (width: Int, height: Int) {
        let reader = try Reader(bytes, name: name)
        try reader.checkPixelLimit(options)
        return (reader.width, reader.height)
    }

    /// A `png_image` at a fixed heap address: libpng keeps a pointer to it for error reporting,
    /// so it must never be copied between begin and finish.
    private final class Reader {
        let image: UnsafeMutablePointer<png_image>
        let name: String
        var finished = false

        init(_ bytes: UnsafeRawBufferPointer, name: String) throws {
            self.name = name
            image = .allocate(capacity: 1)
            image.initialize(to: png_image())
            image.pointee.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(image, bytes.baseAddress, bytes.count) != 0 else {
                let reason = PNGDecoder.message(of: image.pointee)
                finished = true  // libpng frees its state itself when begin fails
                throw ImageDecodingError.corrupt(file: name, format: "PNG", reason: reason)
            }
        }

        deinit {
            if !finished { png_image_free(image) }
            image.deallocate()
        }

        var width: Int { Int(image.pointee.width) }
        var height: Int { Int(image.pointee.height) }

        func checkPixelLimit(_ options: DecodingOptions) throws {
            try options.checkPixelLimit(width: width, height: height, file: name, format: .png)
        }
    }

    static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "libpng gave no reason" : text
        }
    }
}
