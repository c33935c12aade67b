/// Writes a finished planar image into its slot of a batch: normalization and channel order.
enum SampleWriter {
    static func write(_ image: PlanarImage, normalization: Normalization, channelOrder: ChannelOrder,
                      to destination: UnsafeMutablePointer<Float>) {
        let plane = image.planeSize
        let affine = normalization.affine
        image.values.withUnsafeBufferPointer { src in
            for c in 0..<3 {
                let target = channelOrder == .rgb ? c : 2 - c
                let (scale, shift) = affine[c]
                let from = src.baseAddress! + c * plane
                let to = destination + target * plane
                for i in 0..<plane { to[i] = from[i] * scale + shift }
            }
        }
    }
}
