import GraftCore

/// A small image task that a CNN with global pooling can learn: stripes in one of four
/// orientations (class 0 horizontal, 1 vertical, 2 diagonal, 3 anti-diagonal), with a random
/// phase, period, colour and noise.
enum SyntheticStripes {
    static let classes = 4

    static func batch(count: Int, size: Int = 12, generator g: inout SeededGenerator) -> (images: Tensor, labels: [Int]) {
        var values = [Float](repeating: 0, count: count * 3 * size * size)
        var labels: [Int] = []
        for i in 0..<count {
            let label = Int(g.next() % UInt64(classes))
            labels.append(label)
            let period = Float(3 + Int(g.next() % 3))
            let phase = g.nextUnitFloat() * period
            let colour = (0..<3).map { _ in 0.5 + g.nextUnitFloat() }
            for y in 0..<size {
                for x in 0..<size {
                    let t: Float
                    switch label {
                    case 0: t = Float(y)
                    case 1: t = Float(x)
                    case 2: t = Float(x + y) / 1.41
                    default: t = Float(x - y) / 1.41
                    }
                    let stripe: Float = (t + phase).truncatingRemainder(dividingBy: period) < period / 2 ? 1 : -1
                    for c in 0..<3 {
                        values[((i * 3 + c) * size + y) * size + x] = stripe * colour[c] + 0.3 * g.nextNormal()
                    }
                }
            }
        }
        return (Tensor(shape: [count, 3, size, size], values: values), labels)
    }
}
