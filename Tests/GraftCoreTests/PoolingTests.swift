import GraftCore
import XCTest

final class PoolingTests: XCTestCase {
    /// (input shape, kernel, stride, padding, layout).
    static let cases: [([Int], (Int, Int), (Int, Int), Padding, LeafLayout)] = [
        ([2, 3, 7, 5], (3, 3), (2, 2), .valid, .plain),
        ([2, 5, 7, 5], (2, 2), (2, 2), .valid, .plain),
        ([1, 3, 7, 5], (3, 3), (2, 2), .same, .plain),
        ([2, 5, 6, 7], (3, 3), (1, 1), .symmetric(height: 1, width: 1), .plain),
        ([1, 12, 5, 6], (3, 2), (2, 1), .explicit(top: 1, bottom: 0, left: 0, right: 1), .plain),
        ([2, 16, 5, 5], (3, 3), (2, 2), .symmetric(height: 1, width: 1), .blocked(8)),
        ([1, 20, 7, 5], (2, 3), (2, 2), .same, .blocked(16)),
    ]

    func testMaxPoolGradients() {
        var g = SeededGenerator(seed: 51)
        for (shape, kernel, stride, padding, layout) in Self.cases {
            let pad = referencePadAmounts(padding, height: shape[2], width: shape[3], kernel: kernel, stride: stride)
            // Pairwise distinct values: no near-ties for the maximum of any window.
            let x = g.distinctValues(shape.reduce(1, *))
            checkGradients([CheckedInput("x", shape, x, layout: layout)], generator: &g,
                           "maxPool2d \(shape) k\(kernel) s\(stride) \(padding) [\(layout)]") { t in
                maxPool2d(t[0], kernel: kernel, stride: stride, padding: padding)
            } reference: { r in
                naiveMaxPool2d(r[0], kernel: kernel, stride: stride, pad: pad)
            }
        }
    }

    func testAvgPoolGradients() {
        var g = SeededGenerator(seed: 52)
        for (shape, kernel, stride, padding, layout) in Self.cases {
            let pad = referencePadAmounts(padding, height: shape[2], width: shape[3], kernel: kernel, stride: stride)
            for countPadding in [true, false] {
                checkGradients([CheckedInput("x", shape, g.normals(shape.reduce(1, *)), layout: layout)], generator: &g,
                               "avgPool2d \(shape) k\(kernel) s\(stride) \(padding) countPadding \(countPadding) [\(layout)]") { t in
                    avgPool2d(t[0], kernel: kernel, stride: stride, padding: padding, countPadding: countPadding)
                } reference: { r in
                    naiveAvgPool2d(r[0], kernel: kernel, stride: stride, pad: pad, countPadding: countPadding)
                }
            }
        }
    }

    /// The stride defaults to the kernel.
    func testDefaultStride() {
        var g = SeededGenerator(seed: 53)
        let x = g.distinctValues(2 * 3 * 6 * 4)
        let t = Tensor(shape: [2, 3, 6, 4], values: x)
        let noPad = PadAmounts(top: 0, bottom: 0, left: 0, right: 0)
        assertMatchesReference(maxPool2d(t, kernel: (2, 2)).values,
                               naiveMaxPool2d(RefTensor(shape: t.shape, floats: x), kernel: (2, 2), stride: (2, 2), pad: noPad))
        assertMatchesReference(avgPool2d(t, kernel: (3, 2)).values,
                               naiveAvgPool2d(RefTensor(shape: t.shape, floats: x), kernel: (3, 2), stride: (3, 2), pad: noPad,
                                              countPadding: true))
    }

    func testGlobalAvgPoolGradients() {
        var g = SeededGenerator(seed: 54)
        for (shape, layout) in [([2, 5, 7, 5], LeafLayout.plain), ([3, 12, 1, 1], .plain), ([2, 16, 3, 3], .blocked(8)),
                                ([2, 20, 5, 3], .blocked(16))] {
            checkGradients([CheckedInput("x", shape, g.normals(shape.reduce(1, *)), layout: layout)], generator: &g,
                           "globalAvgPool2d \(shape) [\(layout)]") { t in
                globalAvgPool2d(t[0])
            } reference: { r in
                naiveGlobalAvgPool2d(r[0])
            }
        }
    }

    /// Global max pooling (a `--pooling max` head) and flattening (`--pooling flatten`), in the
    /// plain and blocked layouts a backbone's last feature map comes in.
    func testGlobalMaxPoolAndFlattenGradients() {
        var g = SeededGenerator(seed: 55)
        for (shape, layout) in [([2, 5, 7, 5], LeafLayout.plain), ([3, 12, 1, 1], .plain), ([2, 16, 3, 3], .blocked(8)),
                                ([2, 20, 5, 3], .blocked(16))] {
            let (n, c, hw) = (shape[0], shape[1], shape[2] * shape[3])
            checkGradients([CheckedInput("x", shape, g.distinctValues(shape.reduce(1, *)), layout: layout)], generator: &g,
                           "globalMaxPool2d \(shape) [\(layout)]") { t in
                globalMaxPool2d(t[0])
            } reference: { r in
                RefTensor(shape: [n, c], data: (0..<(n * c)).map { r[0].data[($0 * hw)..<(($0 + 1) * hw)].max()! })
            }
            checkGradients([CheckedInput("x", shape, g.normals(shape.reduce(1, *)), layout: layout)], generator: &g,
                           "flatten \(shape) [\(layout)]") { t in
                flatten(t[0])
            } reference: { r in
                RefTensor(shape: [n, c * hw], data: r[0].data)
            }
        }
    }
}
