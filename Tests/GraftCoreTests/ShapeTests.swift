import GraftCore
import XCTest

final class ShapeTests: XCTestCase {
    func testReshapeGradients() {
        var g = SeededGenerator(seed: 81)
        for (from, to, layout) in [([2, 3, 4, 5], [6, 20], LeafLayout.plain), ([12, 5], [3, 4, 5], .plain),
                                   ([2, 12, 3, 1], [2, 4, 9], .blocked(8)), ([1, 20, 2, 3], [120], .blocked(16))] {
            checkGradients([CheckedInput("x", from, g.normals(from.reduce(1, *)), layout: layout)], generator: &g,
                           "reshape \(from) [\(layout)] -> \(to)") { t in
                reshape(t[0], to)
            } reference: { r in
                r[0].reshaped(to)
            }
        }
    }

    func testFlattenGradients() {
        var g = SeededGenerator(seed: 82)
        for (shape, layout) in [([2, 5, 3, 3], LeafLayout.plain), ([3, 16, 2, 1], .blocked(8)), ([2, 12, 3, 3], .blocked(16))] {
            checkGradients([CheckedInput("x", shape, g.normals(shape.reduce(1, *)), layout: layout)], generator: &g,
                           "flatten \(shape) [\(layout)]") { t in
                flatten(t[0])
            } reference: { r in
                r[0].reshaped([shape[0], r[0].count / shape[0]])
            }
        }
    }

    func testConcatChannelsGradients() {
        var g = SeededGenerator(seed: 83)
        let groups: [[([Int], LeafLayout)]] = [
            [([2, 3, 4, 5], .plain), ([2, 5, 4, 5], .plain), ([2, 12, 4, 5], .plain)],
            [([3, 4], .plain), ([3, 7], .plain)],
            [([2, 16, 3, 3], .blocked(8)), ([2, 8, 3, 3], .blocked(8))],
            [([1, 12, 3, 5], .blocked(16)), ([1, 20, 3, 5], .blocked(16)), ([1, 3, 3, 5], .plain)],
        ]
        for parts in groups {
            let inputs = parts.enumerated().map { i, part in
                CheckedInput("part \(i)", part.0, g.normals(part.0.reduce(1, *)), layout: part.1)
            }
            checkGradients(inputs, generator: &g, "concatChannels \(parts.map { "\($0.0) [\($0.1)]" })") { t in
                concatChannels(t)
            } reference: { r in
                naiveConcatChannels(r)
            }
        }
    }

    /// A convolution after the concatenation hands back a blocked gradient: pieces of whole blocks
    /// (DenseNet's) take their slices straight from it, others from a plain copy.
    func testConcatChannelsGradientsFromABlockedGradient() {
        var g = SeededGenerator(seed: 84)
        for (widths, layout) in [([16, 32], LeafLayout.blocked(16)), ([8, 16, 8], .blocked(8)), ([12, 20], .blocked(16))] {
            let total = widths.reduce(0, +)
            let inputs = widths.enumerated().map { i, c in CheckedInput("part \(i)", [2, c, 3, 3], g.normals(18 * c), layout: layout) }
                + [CheckedInput("weight", [8, total, 1, 1], g.normals(8 * total, std: 0.2))]
            checkGradients(inputs, generator: &g, "concatChannels \(widths) [\(layout)] then a 1x1 convolution") { t in
                conv2d(concatChannels(Array(t.dropLast())), weight: t.last!)
            } reference: { r in
                naiveConv2d(naiveConcatChannels(Array(r.dropLast())), weight: r.last!, bias: nil, stride: (1, 1),
                            pad: referencePadAmounts(.valid, height: 3, width: 3, kernel: (1, 1), stride: (1, 1)),
                            dilation: (1, 1), groups: 1)
            }
        }
    }

    /// The same tensor twice: both slices of the gradient add up.
    func testConcatSameTensorTwice() {
        var g = SeededGenerator(seed: 85)
        for layout in [LeafLayout.plain, .blocked(8)] {
            checkGradients([CheckedInput("x", [2, 12, 2, 3], g.normals(144), layout: layout)], generator: &g,
                           "concatChannels [x, x] [\(layout)]") { t in
                concatChannels([t[0], t[0]])
            } reference: { r in
                naiveConcatChannels([r[0], r[0]])
            }
        }
    }

    /// Only some parts need a gradient; the others get none and do not break backward.
    func testConcatWithFrozenPart() {
        var g = SeededGenerator(seed: 84)
        let frozen = Tensor(shape: [2, 3, 2, 2], values: g.normals(24))
        let x = Tensor(shape: [2, 5, 2, 2], values: g.normals(40), requiresGrad: true)
        let y = concatChannels([frozen, x])
        y.backward(gradient: Tensor(shape: y.shape, values: (0..<64).map(Float.init)))
        XCTAssertNil(frozen.grad)
        let expected = (0..<2).flatMap { n in (0..<20).map { Float(n * 32 + 12 + $0) } }
        XCTAssertEqual(x.grad?.values, expected)
    }
}
