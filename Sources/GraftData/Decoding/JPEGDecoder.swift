import CTurboJPEG
import Foundation

/// JPEG decoding with libjpeg-turbo's TurboJPEG API, using the library defaults (accurate
/// integer DCT, fancy upsampling), which are also Pillow's: baseline files decode to the same
/// pixels as in PIL.
enum JPEGDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> RGBImage {
        let handle = try Handle(name: name)
        let header = try handle.readHeader(bytes, name: name)
        try options.checkPixelLimit(width: header.width, height: header.height, file: name, format: .jpeg)
        let markers = JPEGMarkers(scanning: bytes)
        let isCMYK = header.colorspace == Int32(TJCS_CMYK.rawValue) || header.colorspace == Int32(TJCS_YCCK.rawValue)
        // TurboJPEG will not convert CMYK to RGB itself, so those files come out as CMYK.
        let channels = isCMYK ? 4 : 3
        let (width, height) = scaledSize(header, minimumShorterSide: options.minimumShorterSide)
        var decoded = [UInt8](repeating: 0, count: width * height * channels)
        let status = decoded.withUnsafeMutableBufferPointer { out in
            // TurboJPEG picks the DCT scaling factor that yields exactly width x height.
            tjDecompress2(handle.raw, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
                          out.baseAddress, Int32(width), 0, Int32(height),
                          (isCMYK ? TJPF_CMYK : TJPF_RGB).rawValue, 0)
        }
        if status != 0 { try handle.judgeFailure(name: name) }
        var image = isCMYK
            ? cmykToRGB(decoded, width: width, height: height, inverted: markers.hasAdobeSegment)
            : RGBImage(width: width, height: height, pixels: decoded)
        if options.respectsEXIFOrientation { image = image.applying(markers.orientation) }
        return image
    }

    static func dimensions(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> (width: Int, height: Int) {
        let header = try Handle(name: name).readHeader(bytes, name: name)
        try options.checkPixelLimit(width: header.width, height: header.height, file: name, format: .jpeg)
        let upright = !options.respectsEXIFOrientation || !JPEGMarkers(scanning: bytes).orientation.swapsAxes
        return upright ? (header.width, header.height) : (header.height, header.width)
    }

    /// The smallest of full, 1/2, 1/4 and 1/8 scale whose shorter side is still at least
    /// `minimumShorterSide` (rounded up, as libjpeg's scaled sizes are).
    private static func scaledSize(_ header: Header, minimumShorterSide: Int?) -> (Int, Int) {
        guard let minimum = minimumShorterSide else { return (header.width, header.height) }
        var chosen = (header.width, header.height)
        for denominator in [2, 4, 8] {
            let w = (header.width + denominator - 1) / denominator, h = (header.height + denominator - 1) / denominator
            if min(w, h) < minimum { break }
            chosen = (w, h)
        }
        return chosen
    }

    /// Pillow's CMYK to RGB conversion (R = (255 - C)(255 - K) / 255, rounded), so CMYK files
    /// agree with PIL. Adobe applications write CMYK JPEGs with inverted samples, flagged by
    /// their APP14 segment.
    private static func cmykToRGB(_ cmyk: [UInt8], width: Int, height: Int, inverted: Bool) -> RGBImage {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        @inline(__always) func mulDiv255(_ a: Int, _ b: Int) -> Int {
            let t = a * b + 128
            return (t + (t >> 8)) >> 8
        }
        for i in 0..<(width * height) {
            var ink = (Int(cmyk[4 * i]), Int(cmyk[4 * i + 1]), Int(cmyk[4 * i + 2]), Int(cmyk[4 * i + 3]))
            if inverted { ink = (255 - ink.0, 255 - ink.1, 255 - ink.2, 255 - ink.3) }
            let notBlack = 255 - ink.3
            rgb[3 * i] = UInt8(notBlack - mulDiv255(ink.0, notBlack))
            rgb[3 * i + 1] = UInt8(notBlack - mulDiv255(ink.1, notBlack))
            rgb[3 * i + 2] = UInt8(notBlack - mulDiv255(ink.2, notBlack))
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    struct Header {
        let width: Int, height: Int, colorspace: Int32
    }

    /// A TurboJPEG decompressor, destroyed when the decode ends.
    final class Handle {
        let raw: tjhandle

        init(name: String) throws {
            guard let raw = tjInitDecompress() else {
                throw ImageDecodingError.unreadable(file: name, reason: "TurboJPEG could not start a decompressor")
            }
            self.raw = raw
        }

        deinit { tjDestroy(raw) }

        func readHeader(_ bytes: UnsafeRawBufferPointer, name: String) throws -> Header {
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            let status = tjDecompressHeader3(raw, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
                                             &width, &height, &subsampling, &colorspace)
            guard status == 0, width > 0, height > 0 else {
                throw ImageDecodingError.corrupt(file: name, format: "JPEG", reason: message)
            }
            return Header(width: Int(width), height: Int(height), colorspace: colorspace)
        }

        var message: String { String(cString: tjGetErrorStr2(raw)) }

        /// libjpeg reports recoverable problems as warnings. A truncated file ("Premature end of
        /// JPEG file") decodes to grey filler, so it is corrupt; the common harmless warnings
        /// (extraneous bytes before a marker) are ignored, as Pillow and browsers do.
        func judgeFailure(name: String) throws {
            let text = message
            if tjGetErrorCode(raw) == Int32(TJERR_WARNING.rawValue) && !text.contains("Premature end") { return }
            throw ImageDecodingError.corrupt(file: name, format: "JPEG", reason: text)
        }
    }
}
