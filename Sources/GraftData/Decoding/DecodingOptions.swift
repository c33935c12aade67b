/// Settings shared by the decoders.
public struct DecodingOptions: Sendable, Equatable {
    /// Images with more pixels than this are refused before their pixels are decoded: a few
    /// hundred bytes of a compressed image can claim a 60000x60000 canvas and take gigabytes to decode.
    /// The default (178 million, Pillow's warning threshold is 89 million) admits any camera photo.
    public var pixelLimit: Int
    /// The colour transparent pixels are composited onto, since every image becomes opaque RGB.
    /// libpng blends in linear light (half-transparent black on white gives 186, not 127).
    public var background: (red: UInt8, green: UInt8, blue: UInt8)
    /// Whether JPEGs are turned upright according to their EXIF orientation tag, as photo
    /// viewers do; a phone photo stored sideways would otherwise train as a sideways image.
    public var respectsEXIFOrientation: Bool
    /// When set, a JPEG is decoded at 1/2, 1/4 or 1/8 scale (in the DCT domain, which is several
    /// times faster than decoding in full and shrinking) as long as its shorter side stays at
    /// least this long. The loader sets it to the size it will shrink photos to anyway. nil
    /// decodes at full size, pixel-identical to Pillow.
    public var minimumShorterSide: Int?

    public init(pixelLimit: Int = 178_956_970, background: (red: UInt8, green: UInt8, blue: UInt8) = (255, 255, 255),
                respectsEXIFOrientation: Bool = true, minimumShorterSide: Int? = nil) {
        self.pixelLimit = pixelLimit
        self.background = background
        self.respectsEXIFOrientation = respectsEXIFOrientation
        self.minimumShorterSide = minimumShorterSide
    }

    /// Throws unless a `width` x `height` image may be decoded: both positive and their product
    /// (computed without overflow, as a TIFF may claim 2^32 x 2^32) within `pixelLimit`.
    func checkPixelLimit(width: Int, height: Int, file: String, format: ImageFormat) throws {
        guard width > 0, height > 0 else {
            throw ImageDecodingError.corrupt(file: file, format: format.rawValue, reason: "the header gives a size of \(width)x\(height)")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > pixelLimit {
            throw ImageDecodingError.tooManyPixels(file: file, width: width, height: height, limit: pixelLimit)
        }
    }

    public static func == (a: DecodingOptions, b: DecodingOptions) -> Bool {
        a.pixelLimit == b.pixelLimit && a.background == b.background
            && a.respectsEXIFOrientation == b.respectsEXIFOrientation && a.minimumShorterSide == b.minimumShorterSide
    }
}
