import Foundation
import GraftCore
import GraftNN
import XCTest
@testable import GraftModels

/// Logits of the real ImageNet weights on real photos against another implementation's:
/// PyTorch for EfficientNet-Lite0, a NumPy forward pass (float64) for MobileNetV2.
/// Fixtures/make_fixtures.py made the fixtures; `make test` fetches the weights first.
final class PretrainedParityTests: XCTestCase {
    static let photos = ["chelsea", "coffee", "rocket"]

    private func fixture(_ name: String) throws -> Data {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil), "missing fixture \(name)")
        return try Data(contentsOf: url)
    }

    private func crop(_ photo: String) throws -> [UInt8] { [UInt8](try fixture("\(photo)_crop.u8")) }

    private func referenceLogits(_ model: String, _ photo: String) throws -> [Float] {
        let data = try fixture("\(model)_\(photo).f32")
        return data.withUnsafeBytes { raw in (0..<1000).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
    }

    private func pretrained(_ kind: BackboneKind) throws -> any Backbone {
        let cache = WeightsCache()
        guard let file = kind.pretrainedFile, cache.isPresent(file) else {
            throw XCTSkip("\(kind.rawValue) weights are not in \(cache.root.path); `make test` fetches them")
        }
        return try kind.pretrained(cache: cache)
    }

    /// Fused inference (BatchNorm folded into the convolutions, post-ops) and layer-by-layer
    /// inference must both match the reference.
    private func checkParity(_ kind: BackboneKind, normalize: ([UInt8]) -> [Float]) throws {
        let model = try pretrained(kind)
        for fused in [true, false] {
            for photo in Self.photos {
                let input = Tensor(shape: [1, 3, 224, 224], values: normalize(try crop(photo)))
                let logits = GradMode.withoutGradients { model(input, context: ForwardContext(training: false, fusion: fused)) }.values
                let reference = try referenceLogits(kind.rawValue, photo)
                let maxDiff = zip(logits, reference).map { abs($0 - $1) }.max()!
                let relative = maxDiff / reference.map(abs).max()!
                print("\(kind.rawValue) \(photo)\(fused ? " fused" : ""): max |logit diff| / max |logit| = \(relative)")
                XCTAssertLessThan(relative, 1e-4, "\(kind.rawValue) on \(photo), fused: \(fused)")
                XCTAssertEqual(logits.firstIndex(of: logits.max()!), reference.firstIndex(of: reference.max()!),
                               "top-1 on \(photo), fused: \(fused)")
            }
        }
    }

    func testEfficientNetLite0MatchesPyTorch() throws {
        try checkParity(.efficientNetLite0) { $0.map { (Float($0) - 127) / 128 } }
    }

    func testMobileNetV2MatchesNumPyReference() throws {
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        try checkParity(.mobileNetV2) { pixels in
            pixels.enumerated().map { i, p in (Float(p) / 255 - mean[i / (224 * 224)]) / std[i / (224 * 224)] }
        }
    }
}
