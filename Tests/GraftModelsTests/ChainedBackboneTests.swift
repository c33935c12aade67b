@testable import GraftCore
import GraftNN
import XCTest
@testable import GraftModels

/// A chained backbone run in two parts, split after any block group, computes exactly what it
/// computes in one pass: fine-tuning trains on the first part's output computed once.
final class ChainedBackboneTests: XCTestCase {
    private func checkEverySplit(_ kind: BackboneKind, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try XCTUnwrap(kind.make(classes: 10, seed: 1) as? any ChainedBackbone, "\(kind) is not chained", file: file, line: line)
        var g = SeededGenerator(seed: 2)
        for (name, buffer) in model.namedBuffers() {
            let low: Float = name.hasSuffix("running_var") ? 0.5 : -0.2, high: Float = name.hasSuffix("running_var") ? 1.5 : 0.2
            buffer.assign((0..<buffer.count).map { _ in Float.random(in: low...high, using: &g) })
        }
        let x = Tensor(shape: [2, 3, 48, 48], values: (0..<2 * 3 * 48 * 48).map { _ in Float.random(in: -1...1, using: &g) })
        for training in [false, true] {
            let context = { ForwardContext(training: training, recordsGradients: false) }
            let whole = model.featureMap(x, context: context()).values
            for groups in 1..<model.blockGroups.count {
                let first = model.activation(x, throughGroups: groups, context: context())
                let split = model.featureMap(continuingFrom: first, afterGroups: groups, context: context()).values
                XCTAssertEqual(split, whole, "\(kind), training \(training), split after \(groups) groups", file: file, line: line)
            }
        }
    }

    func testEfficientNetLite0() throws { try checkEverySplit(.efficientNetLite0) }
    func testEfficientNetLite2() throws { try checkEverySplit(.efficientNetLite2) }
    func testMobileNetV2() throws { try checkEverySplit(.mobileNetV2) }
    func testKerasMobileNetV2() throws { try checkEverySplit(.mobileNetV2Keras) }
}
