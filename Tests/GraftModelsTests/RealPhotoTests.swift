import Foundation
import GraftData
import XCTest
@testable import GraftModels

/// The pretrained models on scikit-image's real photos give the classes a person would expect.
/// `make test` fetches the photos, weights and class names into the cache first.
final class RealPhotoTests: XCTestCase {
    private let cats: Set<Int> = [281, 282, 283, 284, 285]  // tabby, tiger cat, Persian, Siamese, Egyptian cat
    private let coffee: Set<Int> = [504, 967, 968]           // coffee mug, espresso, cup
    private let rocket: Set<Int> = [657, 744, 812]           // missile, projectile, space shuttle

    private func photo(_ name: String, _ cache: WeightsCache) throws -> RGBImage {
        guard let file = PackagedFiles.samplePhotos.first(where: { $0.name == "photo-\(name)" }), cache.isPresent(file) else {
            throw XCTSkip("sample photos are not in \(cache.root.path); `make test` fetches them")
        }
        return try ImageDecoder.decode(contentsOf: cache.path(of: file))
    }

    private func check(_ kind: BackboneKind) throws {
        let cache = WeightsCache()
        guard let weights = kind.pretrainedFile, cache.isPresent(weights), cache.isPresent(PackagedFiles.imageNetClassNames) else {
            throw XCTSkip("\(kind.rawValue) weights or class names are missing; `make test` fetches them")
        }
        let model = try kind.pretrained(cache: cache)
        let classes = try ImageNetClasses.load(cache: cache)
        let images = try ["chelsea", "coffee", "rocket"].map { try photo($0, cache) }
        let top = model.classify(images, classes: classes, top: 5)
        for (name, predictions) in zip(["chelsea", "coffee", "rocket"], top) {
            print("\(kind.rawValue) \(name): " + predictions.map { "\($0.label) \(String(format: "%.3f", $0.probability))" }.joined(separator: ", "))
        }
        XCTAssertTrue(cats.contains(top[0][0].index), "the cat is a \(top[0][0].label)")
        XCTAssertTrue(coffee.contains(top[1][0].index), "the coffee is a \(top[1][0].label)")
        XCTAssertFalse(rocket.isDisjoint(with: top[2].prefix(3).map(\.index)), "the rocket is none of \(top[2].prefix(3).map(\.label))")
        XCTAssertEqual(classes[281], "tabby")
        for predictions in top {
            XCTAssertEqual(predictions.map(\.probability), predictions.map(\.probability).sorted(by: >))
            XCTAssertLessThanOrEqual(predictions.map(\.probability).reduce(0, +), 1.0001)
        }
    }

    func testEfficientNetLite0() throws { try check(.efficientNetLite0) }
    func testEfficientNetLite1() throws { try check(.efficientNetLite1) }
    func testEfficientNetLite2() throws { try check(.efficientNetLite2) }
    func testMobileNetV2() throws { try check(.mobileNetV2) }
}
