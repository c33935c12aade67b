import Foundation
import Graft
import GraftExport
import XCTest

/// Models an ONNX graph of their trace cannot reproduce are refused with the layer and the reason,
/// before anything is written.
final class UnexportableModelTests: XCTestCase {
    /// conv -> ReLU -> pool -> a host-side copy of the features (outside the traced ops) -> fc.
    private final class HostSideCopy: Module {
        let conv: Conv2d
        let fc: Linear

        override init() {
            var g = SeededGenerator(seed: 1)
            conv = Conv2d(inChannels: 3, outChannels: 8, kernelSize: (3, 3), generator: &g)
            fc = Linear(inFeatures: 8, outFeatures: 2, generator: &g)
            super.init()
            registerChild("conv", conv)
            registerChild("fc", fc)
        }

        override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
            let features = globalAvgPool2d(relu(conv(x, context: context)))
            return fc(Tensor(shape: features.shape, values: features.values), context: context)
        }
    }

    /// A different activation for single images than for batches.
    private final class BatchDependent: Module {
        let fc: Linear

        override init() {
            var g = SeededGenerator(seed: 2)
            fc = Linear(inFeatures: 3, outFeatures: 2, generator: &g)
            super.init()
            registerChild("fc", fc)
        }

        override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
            let y = fc(globalAvgPool2d(x), context: context)
            return x.shape[0] == 1 ? relu(y) : sigmoid(y)
        }
    }

    private func source(_ model: Module, classes: Int = 2) -> ONNXExportSource {
        ONNXExportSource(model: model, classNames: (0..<classes).map { "c\($0)" }, preprocessing: Preprocessing.imageNet.resized(to: 16),
                         architecture: "test") { model($0, context: $1) }
    }

    func testAValueComputedOutsideTheTracedOpsNamesTheLayerThatReadsIt() {
        XCTAssertThrowsError(try ONNXExport(source(HostSideCopy()))) { error in
            XCTAssertEqual((error as? ONNXExportError).map { "\($0)" },
                           "cannot export layer fc to ONNX: it reads a tensor of shape [1, 8] that changes with the input images "
                               + "but was computed outside Graft's traced ops, so the graph cannot compute it")
        }
    }

    func testOpsThatDependOnTheBatchSizeAreRefused() {
        XCTAssertThrowsError(try ONNXExport(source(BatchDependent()))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("cannot export layer relu (op 2 of the trace, after fc) to ONNX: the model runs different ops"), message)
        }
    }

    func testLogitsThatDoNotMatchTheClassNamesAreRefused() {
        XCTAssertThrowsError(try ONNXExport(source(BatchDependent(), classes: 3))) { error in
            XCTAssertEqual("\(error)", "the model's logits have shape [1, 2], not (N, 3) for 3 class names")
        }
    }
}
