import Foundation
import Graft
import GraftExport
import XCTest

/// ConvNeXt's new ops in every form the exporter writes them, on a network of a few hundred
/// weights: LayerNorm over the channels decomposed (opset 13) and as LayerNormalization (17 and
/// 21), GELU through Erf (13, 17) and as Gelu (21), a Linear's (O, I) weight as a 1x1 Conv, the
/// (C, 1, 1) layer scale; each file through the checker and ONNX Runtime against Graft.
final class LayerNormGELUExportTests: ExportTestCase {
    /// stem 4x4/4 -> LayerNorm2d -> [1x1 to 16, GELU, 1x1 back, layer scale] + input -> pool -> Linear.
    private final class Block: Module {
        let stem: Conv2d, norm: LayerNorm2d, expand: Linear, project: Linear, scale: Tensor, head: Linear

        init(seed: UInt64) {
            var g = SeededGenerator(seed: seed)
            stem = Conv2d(inChannels: 3, outChannels: 8, kernelSize: (4, 4), stride: (4, 4), generator: &g)
            norm = LayerNorm2d(channels: 8)
            expand = Linear(inFeatures: 8, outFeatures: 16, generator: &g)
            project = Linear(inFeatures: 16, outFeatures: 8, generator: &g)
            scale = Tensor(shape: [8, 1, 1], values: g.uniforms(8))
            head = Linear(inFeatures: 8, outFeatures: 3, generator: &g)
            super.init()
            for (name, layer) in [("stem", stem), ("norm", norm), ("expand", expand), ("project", project), ("head", head)]
                as [(String, Module)] { registerChild(name, layer) }
            registerParameter("scale", scale)
            // Scale and shift away from 1 and 0, so that the graph's use of them shows.
            norm.weight.assign(g.uniforms(8).map { 1 + $0 / 2 })
            norm.bias.assign(g.uniforms(8).map { $0 / 4 })
        }

        override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
            let y = norm(stem(x, context: context), context: context)
            let hidden = gelu(conv2d(y, weight: expand.weight, bias: expand.bias))
            let branch = scaleChannels(conv2d(hidden, weight: project.weight, bias: project.bias), by: scale)
            return head(globalAvgPool2d(branch + y), context: context)
        }
    }

    func testEveryOpsetForm() throws {
        let model = Block(seed: 12)
        let source = ONNXExportSource(model: model, classNames: ["a", "b", "c"], preprocessing: Preprocessing.imageNet.resized(to: 32),
                                      architecture: "layer-norm-gelu") { model($0, context: $1) }
        for opset in [13, 17, 21] {
            let file = scratch.appendingPathComponent("opset\(opset).onnx")
            let export = try ONNXExport(source, options: ONNXExportOptions(opset: opset, outputs: .both))
            let ops = Set(export.summary.operatorCounts.keys)
            XCTAssertEqual(ops.contains("LayerNormalization"), opset >= 17, "opset \(opset): \(ops.sorted())")
            XCTAssertEqual(ops.contains("Gelu"), opset >= 20, "opset \(opset): \(ops.sorted())")
            XCTAssertEqual(ops.contains("Erf"), opset < 20, "opset \(opset): \(ops.sorted())")
            try export.write(to: file)
            _ = try checkParity(of: file, source: source, label: "layer norm and GELU, opset \(opset)")
        }
    }
}

private extension SeededGenerator {
    mutating func uniforms(_ count: Int) -> [Float] { (0..<count).map { _ in 2 * nextUnitFloat() - 1 } }
}
