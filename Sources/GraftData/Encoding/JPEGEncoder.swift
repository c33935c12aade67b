import CTurboJPEG
import Foundation

/// JPEG encoding with TurboJPEG: for synthetic benchmark folders and for tests that need every
/// kind of JPEG (grayscale, CMYK, progressive).
public enum JPEGEncoder {
    public enum ColorMode: Sendable {
        /// YCbCr with 4:2:0 chroma subsampling, what cameras and Pillow write by default.
        case color
        /// One luminance channel.
        case grayscale
        /// Four-channel CMYK (YCCK in the file), with the inverted samples and Adobe segment
        /// that Adobe applications write; the CMYK values are derived from the RGB pixels.
        case cmyk
    }

    public static func encode(_ image: RGBImage, quality: Int = 90, mode: ColorMode = .color,
                              progressive: Bool = false) throws -> Data {
        guard let handle = tjInitCompress() else {
            throw ImageEncodingError(file: "<memory>", reason: "TurboJPEG could not start a compressor")
        }
        defer { tjDestroy(handle) }
        var source = image.pixels
        var pixelFormat = TJPF_RGB.rawValue
        var subsampling = Int32(TJSAMP_420.rawValue)
        switch mode {
        case .color: break
        case .grayscale: subsampling = Int32(TJSAMP_GRAY.rawValue)
        case .cmyk:
            source = invertedCMYK(image)
            pixelFormat = TJPF_CMYK.rawValue
        }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let flags: Int32 = progressive ? Int32(TJFLAG_PROGRESSIVE) : 0
        let status = source.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height), pixelFormat,
                        &output, &size, subsampling, Int32(quality), flags)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else {
            throw ImageEncodingError(file: "<memory>", reason: String(cString: tjGetErrorStr2(handle)))
        }
        return Data(bytes: output, count: Int(size))
    }

    /// Naive RGB to CMYK (K from the brightest channel), stored inverted as Adobe does.
    private static func invertedCMYK(_ image: RGBImage) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: image.width * image.height * 4)
        for i in 0..<(image.width * image.height) {
            let r = Int(image.pixels[3 * i]), g = Int(image.pixels[3 * i + 1]), b = Int(image.pixels[3 * i + 2])
            let brightest = max(r, g, b)
            let k = 255 - brightest
            func ink(_ v: Int) -> Int { brightest == 0 ? 0 : (brightest - v) * 255 / brightest }
            out[4 * i] = UInt8(255 - ink(r)); out[4 * i + 1] = UInt8(255 - ink(g))
            out[4 * i + 2] = UInt8(255 - ink(b)); out[4 * i + 3] = UInt8(255 - k)
        }
        return out
    }

    /// `jpeg` with an EXIF segment carrying `orientation`, inserted right after the start marker.
    public static func addingEXIFOrientation(_ orientation: EXIFOrientation, to jpeg: Data) -> Data {
        var tiff: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08]  // big endian, IFD0 at 8
        tiff += [0x00, 0x01]  // one entry
        tiff += [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, UInt8(orientation.rawValue), 0x00, 0x00]
        tiff += [0x00, 0x00, 0x00, 0x00]  // no next IFD
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        var out = Data(jpeg.prefix(2))
        out += [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        out += jpeg.dropFirst(2)
        return out
    }
}
