@testable import GraftCore
import XCTest

/// Narrow feature maps run several images to a row (see `WidthFolding`): the fused inference
/// convolution must give each image exactly what it gives unfolded, residual and activation
/// included, and at the images' edges where the windows read the zeros between them.
final class WidthFoldingTests: XCTestCase {
    func testFoldedConvolutionMatchesSeparateOps() {
        var g = SeededGenerator(seed: 171)
        // (batch, channels in, out, size, kernel): 7x7 maps eight to a row, 14x14 three (six images),
        // an odd batch whole, a 5x5 kernel with two zero columns between the images.
        for (n, c, o, size, k) in [(8, 256, 256, 7, 3), (6, 256, 512, 14, 3), (3, 256, 256, 7, 3), (4, 256, 256, 7, 5)] {
            let x = makeTensor(shape: [n, c, size, size], values: g.normals(n * c * size * size), layout: .blocked(Tensor.inferenceChannelBlock))
            let w = Tensor(shape: [o, c, k, k], values: g.normals(o * c * k * k, std: 0.05)), b = Tensor(shape: [o], values: g.normals(o))
            let residual = makeTensor(shape: [n, o, size, size], values: g.normals(n * o * size * size),
                                      layout: .blocked(Tensor.inferenceChannelBlock))
            let padding = Padding.symmetric(height: k / 2, width: k / 2)
            PrimitiveCache.shared.removeAll()
            let fused = conv2dInference(x, weight: w, bias: b, padding: padding, adding: residual, activation: .relu, winograd: false)
            let folds = WidthFolding(ConvGeometry(x, weight: w, bias: b, stride: (1, 1), padding: padding, dilation: (1, 1), groups: 1),
                                     block: Tensor.inferenceChannelBlock) != nil
            XCTAssertTrue(folds, "\(n)x\(c)x\(size)x\(size), \(k)x\(k): not folded")
            if Tensor.inferenceChannelBlock == 8 {
                XCTAssertEqual(PrimitiveCache.shared.count(of: "conv.fused"), 2, "\(n) images of \(size)x\(size): the folded primitive did not run")
            }
            let separate = relu(conv2d(x, weight: w, bias: b, padding: padding) + residual)
            assertMatchesReference(fused.values, RefTensor(shape: separate.shape, floats: separate.values), tolerance: 1e-5,
                                   "\(n) images of \(size)x\(size), \(k)x\(k) kernel, folded against separate ops")
        }
    }

    /// Wide maps, strided or grouped convolutions, too few channels and single images stay as they are.
    func testOnlyNarrowSameSizeConvolutionsFold() {
        func geometry(batch: Int = 8, channels: Int = 256, size: Int = 7, stride: Int = 1, groups: Int = 1) -> ConvGeometry {
            ConvGeometry(batch: batch, inChannels: channels, height: size, width: size, outChannels: channels, kernelH: 3, kernelW: 3,
                         groups: groups, stride: (stride, stride), dilation: (1, 1),
                         pad: (top: 1, bottom: 1, left: 1, right: 1), hasBias: true)
        }
        XCTAssertEqual(WidthFolding(geometry(), block: 8)?.imagesPerRow, 8)
        XCTAssertEqual(WidthFolding(geometry(size: 14), block: 8)?.imagesPerRow, 4)
        XCTAssertNil(WidthFolding(geometry(size: 28), block: 8))
        XCTAssertNil(WidthFolding(geometry(stride: 2), block: 8))
        XCTAssertNil(WidthFolding(geometry(groups: 256), block: 8))
        XCTAssertNil(WidthFolding(geometry(channels: 128), block: 8))
        XCTAssertNil(WidthFolding(geometry(batch: 1), block: 8))
    }
}
