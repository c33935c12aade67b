import CGIF
import Foundation

/// GIF decoding with giflib's low-level API: the first frame only (an animation's later frames
/// are never decompressed), de-interlaced, on the logical screen. Transparent pixels and the
/// screen the frame leaves uncovered are the background, as a browser shows the first frame.
/// giflib reports errors by return codes, never by longjmp.
enum GIFDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> RGBImage {
        let file = try File(bytes, name: name)
        let frame = try file.firstFrame(options: options)
        let (width, height) = frame.canvas
        let palette = file.palette(of: frame)
        let backdrop = [options.background.red, options.background.green, options.background.blue]
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { pixels.replaceSubrange(3 * i..<(3 * i + 3), with: backdrop) }
        for (row, y) in frame.rows.enumerated() {
            for x in 0..<frame.width {
                let index = Int(frame.indices[row * frame.width + x])
                guard index != frame.transparentIndex else { continue }
                let at = ((frame.top + y) * width + frame.left + x) * 3
                // An index past the colour table is black, as in Pillow.
                let color = index < palette.count ? palette[index] : (0, 0, 0)
                pixels[at] = color.0; pixels[at + 1] = color.1; pixels[at + 2] = color.2
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func dimensions(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> (width: Int, height: Int) {
        try File(bytes, name: name).firstFrame(options: options, readingPixels: false).canvas
    }

    /// The first frame: its place on the screen, its colour indices in stored row order, and
    /// which screen row each stored row belongs on (interlaced files store every 8th row first).
    struct Frame {
        var left = 0, top = 0, width = 0, height = 0
        var canvas = (0, 0)
        var indices: [UInt8] = []
        var rows: [Int] = []
        var transparentIndex: Int?
        var localPalette: [(UInt8, UInt8, UInt8)]?
    }

    /// An open giflib decoder over the file's bytes, closed when released.
    private final class File {
        let raw: UnsafeMutablePointer<GifFileType>
        let reader: MemoryReader
        let name: String

        init(_ bytes: UnsafeRawBufferPointer, name: String) throws {
            self.name = name
            reader = MemoryReader(bytes)
            var error: Int32 = 0
            let opened = DGifOpen(reader.opaque, { gif, buffer, count in
                guard let gif, let buffer, let context = gif.pointee.UserData else { return 0 }
                return Int32(MemoryReader.from(context).read(into: buffer, count: Int(count)))
            }, &error)
            guard let opened else { throw ImageDecodingError.corrupt(file: name, format: "GIF", reason: GIFDecoder.message(error)) }
            raw = opened
        }

        deinit {
            var error: Int32 = 0
            DGifCloseFile(raw, &error)
        }

        private func fail() -> ImageDecodingError {
            .corrupt(file: name, format: "GIF", reason: GIFDecoder.message(raw.pointee.Error))
        }

        /// Reads records up to the first image, keeping the transparent index of the graphic
        /// control extension before it; then that image's pixels unless `readingPixels` is false.
        func firstFrame(options: DecodingOptions, readingPixels: Bool = true) throws -> Frame {
            var frame = Frame()
            while true {
                var record = UNDEFINED_RECORD_TYPE
                guard DGifGetRecordType(raw, &record) == GIF_OK else { throw fail() }
                switch record {
                case EXTENSION_RECORD_TYPE:
                    var code: Int32 = 0
                    var block: UnsafeMutablePointer<GifByteType>?
                    guard DGifGetExtension(raw, &code, &block) == GIF_OK else { throw fail() }
                    // Graphic control: size 4, flags (bit 0: has a transparent index), delay, index.
                    if code == GRAPHICS_EXT_FUNC_CODE, let block, block[0] >= 4 {
                        frame.transparentIndex = block[1] & 1 == 1 ? Int(block[4]) : nil
                    }
                    while block != nil {
                        guard DGifGetExtensionNext(raw, &block) == GIF_OK else { throw fail() }
                    }
                case IMAGE_DESC_RECORD_TYPE:
                    guard DGifGetImageDesc(raw) == GIF_OK else { throw fail() }
                    let image = raw.pointee.Image
                    frame.left = Int(image.Left); frame.top = Int(image.Top)
                    frame.width = Int(image.Width); frame.height = Int(image.Height)
                    // A frame reaching past the logical screen widens it (as Pillow does), rather
                    // than being cut.
                    frame.canvas = (max(Int(raw.pointee.SWidth), frame.left + frame.width),
                                    max(Int(raw.pointee.SHeight), frame.top + frame.height))
                    try options.checkPixelLimit(width: frame.canvas.0, height: frame.canvas.1, file: name, format: .gif)
                    guard frame.width > 0, frame.height > 0 else {
                        throw ImageDecodingError.corrupt(file: name, format: "GIF", reason: "the first frame is \(frame.width)x\(frame.height)")
                    }
                    frame.localPalette = image.ColorMap.map(GIFDecoder.colors)
                    frame.rows = image.Interlace ? GIFDecoder.interlacedRows(frame.height) : Array(0..<frame.height)
                    if readingPixels { try readPixels(of: &frame) }
                    return frame
                case TERMINATE_RECORD_TYPE:
                    throw ImageDecodingError.corrupt(file: name, format: "GIF", reason: "the file ends without an image")
                default:
                    throw ImageDecodingError.corrupt(file: name, format: "GIF", reason: "an unknown record")
                }
            }
        }

        private func readPixels(of frame: inout Frame) throws {
            var indices = [UInt8](repeating: 0, count: frame.width * frame.height)
            let width = frame.width
            try indices.withUnsafeMutableBufferPointer { out in
                for row in 0..<frame.height {
                    guard DGifGetLine(raw, out.baseAddress! + row * width, Int32(width)) == GIF_OK else { throw fail() }
                }
            }
            frame.indices = indices
        }

        /// The frame's own colour table, else the file's, else a grey ramp (what Pillow uses
        /// when a file has neither).
        func palette(of frame: Frame) -> [(UInt8, UInt8, UInt8)] {
            frame.localPalette ?? raw.pointee.SColorMap.map(GIFDecoder.colors)
                ?? (0...255).map { (UInt8($0), UInt8($0), UInt8($0)) }
        }
    }

    private static func colors(_ map: UnsafeMutablePointer<ColorMapObject>) -> [(UInt8, UInt8, UInt8)] {
        let count = max(0, Int(map.pointee.ColorCount))
        guard let colors = map.pointee.Colors else { return [] }
        return (0..<count).map { (colors[$0].Red, colors[$0].Green, colors[$0].Blue) }
    }

    /// The screen row of each stored row of an interlaced image: rows 0, 8, 16, ... first, then
    /// 4, 12, ..., then 2, 6, ..., then the odd rows.
    static func interlacedRows(_ height: Int) -> [Int] {
        [(0, 8), (4, 8), (2, 4), (1, 2)].flatMap { start, step in Array(stride(from: start, to: height, by: step)) }
    }

    static func message(_ code: Int32) -> String {
        GifErrorString(code).map { String(cString: $0) } ?? "giflib error \(code)"
    }
}
