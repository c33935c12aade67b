import XCTest
@testable import GraftModels

/// Each backbone against its reference implementation (torchvision, or Keras for a -keras one) with every weight from the
/// parity formula: the structure, the key names and shapes, and the arithmetic all have to agree
/// for the logits to (see Fixtures/parity/make_parity_fixtures.py).
final class ReferenceParityTests: XCTestCase {
    func testResNet18() throws { try assertParity(.resNet18) }
    func testResNet34() throws { try assertParity(.resNet34) }
    func testResNet50() throws { try assertParity(.resNet50) }
    func testResNet101() throws { try assertParity(.resNet101) }
    func testResNet152() throws { try assertParity(.resNet152) }
    func testVGG16() throws { try assertParity(.vgg16) }
    func testVGG19() throws { try assertParity(.vgg19) }
    func testVGG16AsKerasBuildsIt() throws { try assertParity(.vgg16Keras) }
    /// LayerNorm over the channels, exact GELU, layer scale, Linear layers run as 1x1 convolutions.
    func testConvNeXtTiny() throws { try assertParity(.convNeXtTiny) }
    /// Concatenation in every layer, pre-activation BatchNorm, average-pooled transitions.
    func testDenseNet121() throws { try assertParity(.denseNet121) }
    func testResNet50AsKerasBuildsIt() throws { try assertParity(.resNet50Keras) }
    func testMobileNetV2AsKerasBuildsIt() throws { try assertParity(.mobileNetV2Keras) }
    func testEfficientNetB0AsKerasBuildsIt() throws { try assertParity(.efficientNetB0Keras) }
}
