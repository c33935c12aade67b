import CWebP
import Foundation

/// WebP decoding with libwebp: lossy and lossless, with or without alpha (composited onto the
/// background like a PNG's), and of an animation its first frame (through libwebpdemux, since
/// the plain decoder refuses animations).
enum WebPDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> RGBImage {
        let features = try self.features(bytes, name: name)
        if features.has_animation != 0 { return try firstFrame(bytes, name: name, options: options) }
        let width = Int(features.width), height = Int(features.height)
        try options.checkPixelLimit(width: width, height: height, file: name, format: .webp)
        guard features.has_alpha != 0 else {
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            try pixels.withUnsafeMutableBufferPointer {
                try decodePixels(bytes, into: $0, width: width, rgba: false, name: name)
            }
            return RGBImage(width: width, height: height, pixels: pixels)
        }
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        try rgba.withUnsafeMutableBufferPointer { try decodePixels(bytes, into: $0, width: width, rgba: true, name: name) }
        return rgba.withUnsafeBufferPointer {
            AlphaCompositing.opaque($0, width: width, height: height, background: options.background)
        }
    }

    static func dimensions(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> (width: Int, height: Int) {
        let features = try self.features(bytes, name: name)
        var size = (width: Int(features.width), height: Int(features.height))
        if features.has_animation != 0 {
            // The canvas, which the bitstream features do not give for an animation.
            size = try Demuxer(bytes, name: name).canvasSize
        }
        try options.checkPixelLimit(width: size.width, height: size.height, file: name, format: .webp)
        return size
    }

    private static func features(_ bytes: UnsafeRawBufferPointer, name: String) throws -> WebPBitstreamFeatures {
        var features = WebPBitstreamFeatures()
        let status = WebPGetFeatures(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &features)
        guard status == VP8_STATUS_OK else { throw ImageDecodingError.corrupt(file: name, format: "WebP", reason: describe(status)) }
        return features
    }

    /// Decodes a still image (or an animation frame's bitstream) into `out`, RGB or RGBA rows of
    /// `width` pixels, with the decoder's status for a reason when it fails.
    private static func decodePixels(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>,
                                     width: Int, rgba: Bool, name: String) throws {
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else {
            throw ImageDecodingError.unreadable(file: name, reason: "libwebp's decoder does not match its header")
        }
        config.output.colorspace = rgba ? MODE_RGBA : MODE_RGB
        config.output.is_external_memory = 1
        config.output.u.RGBA = WebPRGBABuffer(rgba: out.baseAddress, stride: Int32(width * (rgba ? 4 : 3)), size: out.count)
        let status = WebPDecode(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &config)
        WebPFreeDecBuffer(&config.output)
        guard status == VP8_STATUS_OK else { throw ImageDecodingError.corrupt(file: name, format: "WebP", reason: describe(status)) }
    }

    /// An animation's first frame, placed on its canvas as libwebp's animation decoder does: the
    /// canvas starts transparent, so what the frame leaves uncovered is background.
    private static func firstFrame(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> RGBImage {
        let demuxer = try Demuxer(bytes, name: name)
        let (width, height) = demuxer.canvasSize
        try options.checkPixelLimit(width: width, height: height, file: name, format: .webp)
        var iterator = WebPIterator()
        guard WebPDemuxGetFrame(demuxer.raw, 1, &iterator) != 0 else {
            throw ImageDecodingError.corrupt(file: name, format: "WebP", reason: "the animation has no frame")
        }
        defer { WebPDemuxReleaseIterator(&iterator) }
        let frameWidth = Int(iterator.width), frameHeight = Int(iterator.height)
        let left = Int(iterator.x_offset), top = Int(iterator.y_offset)
        guard frameWidth > 0, frameHeight > 0, left + frameWidth <= width, top + frameHeight <= height else {
            throw ImageDecodingError.corrupt(file: name, format: "WebP",
                                             reason: "the first frame (\(frameWidth)x\(frameHeight) at \(left),\(top)) leaves the \(width)x\(height) canvas")
        }
        var frame = [UInt8](repeating: 0, count: frameWidth * frameHeight * 4)
        try frame.withUnsafeMutableBufferPointer { out in
            try decodePixels(UnsafeRawBufferPointer(start: iterator.fragment.bytes, count: iterator.fragment.size),
                             into: out, width: frameWidth, rgba: true, name: name)
        }
        var canvas = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<frameHeight {
            let from = y * frameWidth * 4, to = ((top + y) * width + left) * 4
            canvas.replaceSubrange(to..<(to + frameWidth * 4), with: frame[from..<(from + frameWidth * 4)])
        }
        return canvas.withUnsafeBufferPointer {
            AlphaCompositing.opaque($0, width: width, height: height, background: options.background)
        }
    }

    /// libwebp's container parser over the file's bytes, which must outlive it.
    private final class Demuxer {
        let raw: OpaquePointer

        init(_ bytes: UnsafeRawBufferPointer, name: String) throws {
            var data = WebPData(bytes: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), size: bytes.count)
            guard let raw = WebPDemux(&data) else {
                throw ImageDecodingError.corrupt(file: name, format: "WebP", reason: "libwebp cannot parse the animation's container")
            }
            self.raw = raw
        }

        deinit { WebPDemuxDelete(raw) }

        var canvasSize: (width: Int, height: Int) {
            (Int(WebPDemuxGetI(raw, WEBP_FF_CANVAS_WIDTH)), Int(WebPDemuxGetI(raw, WEBP_FF_CANVAS_HEIGHT)))
        }
    }

    private static func describe(_ status: VP8StatusCode) -> String {
        switch status {
        case VP8_STATUS_OUT_OF_MEMORY: return "libwebp ran out of memory"
        case VP8_STATUS_INVALID_PARAM: return "libwebp refused the parameters"
        case VP8_STATUS_BITSTREAM_ERROR: return "the bitstream is damaged"
        case VP8_STATUS_UNSUPPORTED_FEATURE: return "a feature libwebp does not support"
        case VP8_STATUS_NOT_ENOUGH_DATA: return "the file ends before the image does"
        default: return "libwebp status \(status.rawValue)"
        }
    }
}
