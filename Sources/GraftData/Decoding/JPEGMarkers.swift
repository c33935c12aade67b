/// What Graft needs from a JPEG's header segments that turbojpeg does not report: the EXIF
/// orientation (APP1) and whether an Adobe segment (APP14) marks CMYK samples as inverted.
struct JPEGMarkers {
    var orientation: EXIFOrientation = .up
    var hasAdobeSegment = false

    /// Walks the segments up to the first scan. Malformed segments end the walk quietly: the
    /// decoder itself reports a broken file, this only looks for optional metadata.
    init(scanning bytes: UnsafeRawBufferPointer) {
        var offset = 2
        while offset + 4 <= bytes.count, bytes[offset] == 0xFF {
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte before a marker
            if marker == 0xDA || marker == 0xD9 { break }  // start of scan, end of image
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let start = offset + 4, end = offset + 2 + length
            guard length >= 2, end <= bytes.count else { break }
            let segment = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if marker == 0xE1, let found = Self.exifOrientation(in: segment) {
                orientation = found
            } else if marker == 0xEE, segment.starts(with: Array("Adobe".utf8)) {
                hasAdobeSegment = true
            }
            offset = end
        }
    }

    /// The orientation tag (0x0112) of IFD0 inside an APP1 "Exif" segment.
    private static func exifOrientation(in segment: UnsafeRawBufferPointer) -> EXIFOrientation? {
        let exifHeader: [UInt8] = Array("Exif".utf8) + [0, 0]
        guard segment.starts(with: exifHeader) else { return nil }
        let tiff = UnsafeRawBufferPointer(rebasing: segment[6...])
        guard tiff.count >= 8 else { return nil }
        let bigEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): bigEndian = false  // "II"
        case (0x4D, 0x4D): bigEndian = true   // "MM"
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return bigEndian ? Int(tiff[at]) << 8 | Int(tiff[at + 1]) : Int(tiff[at + 1]) << 8 | Int(tiff[at])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return bigEndian ? a << 16 | b : b << 16 | a
        }
        guard u16(2) == 42, let ifd = u32(4), let entries = u16(ifd) else { return nil }
        for entry in 0..<entries {
            let at = ifd + 2 + 12 * entry
            guard let tag = u16(at) else { return nil }
            if tag == 0x0112, let value = u16(at + 8) {
                return EXIFOrientation(rawValue: value)
            }
        }
        return nil
    }
}
