import CTIFF
import Foundation

/// TIFF decoding with libtiff's RGBA interface, which reads every common layout (strips or
/// tiles; RGB, palette, grey, CMYK, YCbCr; 1 to 16 bits; any compression libtiff was built with)
/// into 8-bit RGBA. The first page only. The Orientation tag is applied as a JPEG's EXIF one is.
/// libtiff's messages go to a handler of this decode's own, never to standard error, and an
/// allocation cap derived from the pixel limit stops a header from claiming gigabytes.
enum TIFFDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> RGBImage {
        let file = try File(bytes, name: name, options: options)
        var image = try file.beginRGBA()
        defer { TIFFRGBAImageEnd(&image) }
        let width = Int(image.width), height = Int(image.height)
        try options.checkPixelLimit(width: width, height: height, file: name, format: .tiff)
        // The stored order: asking for the file's own orientation makes libtiff flip nothing.
        let orientation = image.orientation
        image.req_orientation = orientation
        var raster = [UInt32](repeating: 0, count: width * height)
        let ok = raster.withUnsafeMutableBufferPointer { TIFFRGBAImageGet(&image, $0.baseAddress, image.width, image.height) }
        guard ok != 0 else { throw file.failure("libtiff could not read the pixels") }
        // Each raster value packs R, G, B, A from the low byte up; the colours are premultiplied.
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        rgba.withUnsafeMutableBufferPointer { out in
            for (i, value) in raster.enumerated() {
                out[4 * i] = UInt8(value & 0xFF); out[4 * i + 1] = UInt8((value >> 8) & 0xFF)
                out[4 * i + 2] = UInt8((value >> 16) & 0xFF); out[4 * i + 3] = UInt8(value >> 24)
            }
        }
        let stored = rgba.withUnsafeBufferPointer {
            AlphaCompositing.opaque($0, width: width, height: height, premultiplied: true, background: options.background)
        }
        guard options.respectsEXIFOrientation, let turn = EXIFOrientation(rawValue: Int(orientation)) else { return stored }
        return stored.applying(turn)
    }

    static func dimensions(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> (width: Int, height: Int) {
        let file = try File(bytes, name: name, options: options)
        var image = try file.beginRGBA()
        defer { TIFFRGBAImageEnd(&image) }
        let width = Int(image.width), height = Int(image.height)
        try options.checkPixelLimit(width: width, height: height, file: name, format: .tiff)
        let swaps = options.respectsEXIFOrientation && EXIFOrientation(rawValue: Int(image.orientation))?.swapsAxes == true
        return swaps ? (height, width) : (width, height)
    }

    /// What libtiff said while reading one file: its last error, for the message.
    private final class Messages {
        var lastError: String?
    }

    /// A libtiff handle reading from memory, closed when released.
    private final class File {
        let raw: OpaquePointer
        let name: String
        let reader: MemoryReader
        let messages = Messages()

        init(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws {
            self.name = name
            reader = MemoryReader(bytes)
            guard let settings = TIFFOpenOptionsAlloc() else {
                throw ImageDecodingError.unreadable(file: name, reason: "libtiff could not allocate its options")
            }
            defer { TIFFOpenOptionsFree(settings) }
            // Room for the largest strip an image within the pixel limit can have (16-bit RGBA),
            // and no more.
            TIFFOpenOptionsSetMaxSingleMemAlloc(settings, tmsize_t(min(Int(Int32.max) * 8, max(options.pixelLimit, 1 << 20) * 8)))
            let context = Unmanaged.passUnretained(messages).toOpaque()
            TIFFOpenOptionsSetErrorHandlerExtR(settings, { _, context, module, format, arguments in
                guard let context, let format, let arguments else { return 1 }
                var text = [CChar](repeating: 0, count: 512)
                _ = vsnprintf(&text, text.count, format, arguments)
                let module = module.map { String(cString: $0) + ": " } ?? ""
                Unmanaged<Messages>.fromOpaque(context).takeUnretainedValue().lastError = module + String(cString: text)
                return 1
            }, context)
            TIFFOpenOptionsSetWarningHandlerExtR(settings, { _, _, _, _, _ in 1 }, nil)
            let opened = TIFFClientOpenExt(name, "rm", reader.opaque,
                { context, buffer, count in
                    guard let context, let buffer else { return 0 }
                    return tmsize_t(MemoryReader.from(context).read(into: buffer, count: Int(count)))
                },
                { _, _, _ in 0 },
                { context, offset, whence in
                    guard let context else { return UInt64.max }
                    let reader = MemoryReader.from(context)
                    let base: Int
                    switch whence {
                    case SEEK_SET: base = 0
                    case SEEK_CUR: base = reader.offset
                    case SEEK_END: base = reader.bytes.count
                    default: return UInt64.max
                    }
                    // libtiff passes a negative relative offset as its two's complement.
                    let (target, overflow) = base.addingReportingOverflow(Int(truncatingIfNeeded: offset))
                    guard !overflow, target >= 0 else { return UInt64.max }
                    reader.offset = target
                    return UInt64(target)
                },
                { _ in 0 },
                { context in context.map { UInt64(MemoryReader.from($0).bytes.count) } ?? 0 },
                { _, _, _ in 0 },
                { _, _, _ in },
                settings)
            guard let opened else { throw ImageDecodingError.corrupt(file: name, format: "TIFF", reason: messages.lastError ?? "libtiff cannot open it") }
            raw = opened
        }

        deinit { TIFFClose(raw) }

        /// Starts the RGBA reader; a layout it cannot convert is an unsupported variant.
        func beginRGBA() throws -> TIFFRGBAImage {
            var reason = [CChar](repeating: 0, count: 1024)
            guard TIFFRGBAImageOK(raw, &reason) != 0 else {
                throw ImageDecodingError.unsupportedVariant(file: name, format: "TIFF", reason: String(cString: reason))
            }
            var image = TIFFRGBAImage()
            guard TIFFRGBAImageBegin(&image, raw, 1, &reason) != 0 else {
                throw failure(String(cString: reason))
            }
            return image
        }

        func failure(_ fallback: String) -> ImageDecodingError {
            .corrupt(file: name, format: "TIFF", reason: messages.lastError ?? fallback)
        }
    }
}
