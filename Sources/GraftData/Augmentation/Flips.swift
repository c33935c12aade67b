extension PlanarImage {
    /// Mirrored left-right.
    func flippedHorizontally() -> PlanarImage {
        var out = values
        for row in 0..<(3 * height) {
            let base = row * width
            for x in 0..<width { out[base + x] = values[base + width - 1 - x] }
        }
        return PlanarImage(width: width, height: height, values: out)
    }

    /// Mirrored top-bottom.
    func flippedVertically() -> PlanarImage {
        var out = values
        for c in 0..<3 {
            for y in 0..<height {
                let from = c * planeSize + (height - 1 - y) * width, to = c * planeSize + y * width
                for x in 0..<width { out[to + x] = values[from + x] }
            }
        }
        return PlanarImage(width: width, height: height, values: out)
    }
}
