import CPNG
import Foundation

/// Writes 8-bit RGB PNG files with libpng's simplified API.
public enum PNGEncoder {
    public static func write(_ image: RGBImage, to url: URL) throws {
        let png = makeImage(image)
        defer { png.deallocate() }
        let ok = image.pixels.withUnsafeBytes { pixels in
            png_image_write_to_file(png, url.path, 0, pixels.baseAddress, Int32(image.width * 3), nil)
        }
        guard ok != 0 else {
            throw ImageEncodingError(file: url.path, reason: PNGDecoder.message(of: png.pointee))
        }
    }

    /// The PNG encoding of `image` in memory.
    public static func encode(_ image: RGBImage) throws -> Data {
        let png = makeImage(image)
        defer { png.deallocate() }
        return try image.pixels.withUnsafeBytes { pixels in
            var size = 0
            // A first call with no buffer asks for the size.
            guard png_image_write_to_memory(png, nil, &size, 0, pixels.baseAddress, Int32(image.width * 3), nil) != 0 else {
                throw ImageEncodingError(file: "<memory>", reason: PNGDecoder.message(of: png.pointee))
            }
            var data = Data(count: size)
            let ok = data.withUnsafeMutableBytes { out in
                png_image_write_to_memory(png, out.baseAddress, &size, 0, pixels.baseAddress, Int32(image.width * 3), nil)
            }
            guard ok != 0 else { throw ImageEncodingError(file: "<memory>", reason: PNGDecoder.message(of: png.pointee)) }
            return data.prefix(size)
        }
    }

    /// Heap-allocated because libpng keeps the struct's address while it works.
    private static func makeImage(_ image: RGBImage) -> UnsafeMutablePointer<png_image> {
        let png = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
        png.initialize(to: png_image())
        png.pointee.version = UInt32(PNG_IMAGE_VERSION)
        png.pointee.width = UInt32(image.width)
        png.pointee.height = UInt32(image.height)
        png.pointee.format = UInt32(PNG_FORMAT_RGB)
        return png
    }
}
