import GraftCore
import XCTest
@testable import GraftNN

/// Strict freezing names every prefix that matched nothing and changes nothing; lenient freezing
/// (the default) keeps ignoring them.
final class StrictFreezeTests: XCTestCase {
    private func net() -> Sequential {
        var g = SeededGenerator(seed: 3)
        return Sequential([
            Sequential([Conv2d(inChannels: 3, outChannels: 4, kernelSize: (3, 3), bias: false, generator: &g),
                        BatchNorm2d(features: 4)]),
            Linear(inFeatures: 4, outFeatures: 2, generator: &g),
        ])
    }

    func testStrictFreezeOfKnownPrefixesFreezesThem() throws {
        let model = net()
        try model.freeze(["0.0", "1"], strict: true)
        XCTAssertEqual(model.namedParameters().filter(\.tensor.requiresGrad).map(\.name), ["0.1.weight", "0.1.bias"])
        try model.unfreeze(["1.bias"], strict: true)
        XCTAssertEqual(model.namedParameters().filter(\.tensor.requiresGrad).map(\.name), ["0.1.weight", "0.1.bias", "1.bias"])
    }

    func testStrictFreezeNamesEveryUnmatchedPrefixAndChangesNothing() {
        let model = net()
        XCTAssertThrowsError(try model.freeze(["0", "2", "0.1.w", "classifier"], strict: true)) { error in
            XCTAssertEqual(error as? ModuleError, .prefixesMatchNoParameter(["2", "0.1.w", "classifier"], module: "Sequential"))
            let message = String(describing: error)
            for prefix in ["'2'", "'0.1.w'", "'classifier'"] { XCTAssertTrue(message.contains(prefix), message) }
        }
        XCTAssertTrue(model.parameters.allSatisfy(\.requiresGrad), "a failed strict freeze froze something")
        model.freeze()
        XCTAssertThrowsError(try model.unfreeze(["1.weights"], strict: true))
        XCTAssertFalse(model.parameters.contains(where: \.requiresGrad), "a failed strict unfreeze unfroze something")
    }

    func testLenientFreezeIgnoresUnknownPrefixes() throws {
        let model = net()
        try model.freeze(["1", "nothing.here"], strict: false)
        model.freeze(["also.nothing"])
        XCTAssertEqual(model.namedParameters().filter { !$0.tensor.requiresGrad }.map(\.name), ["1.weight", "1.bias"])
    }
}
