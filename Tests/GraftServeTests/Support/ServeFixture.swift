import Foundation
import GraftData
import GraftModels
@testable import GraftServe
import GraftTraining
import XCTest

/// What the serving tests share, made once per test process: a server on loopback with a
/// pretrained ImageNet classifier ("lite0") and a saved fine-tuned-style model ("flowers": the
/// pretrained Lite0 features with a new three-class head at 96 px), and real photos.
enum ServeFixture {
    static let photoNames = ["chelsea.png", "coffee.png", "rocket.jpg", "astronaut.png"]
    static let bodyLimit = 4 << 20

    struct Shared {
        let server: RunningServer
        let flowersFolder: URL
        let photos: [URL]
    }

    private static let shared: Result<Shared, any Error> = Result {
        let cache = WeightsCache()
        guard cache.isPresent(PackagedFiles.efficientNetLite0), PackagedFiles.samplePhotos.allSatisfy(cache.isPresent) else {
            throw XCTSkip("the EfficientNet-Lite0 weights and sample photos are not fetched (make test fetches them)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("graft-serve-\(UUID().uuidString)/flowers/model")
        let backbone = try BackboneKind.efficientNetLite0.pretrained(keepClassifier: false)
        let classifier = ImageClassifier(backbone: backbone, kind: .efficientNetLite0, classNames: ["daisy", "rose", "tulip"],
                                         head: HeadConfiguration(hiddenUnits: [16]), imageSize: 96, seed: 11)
        try classifier.save(to: folder)
        let models = [try ServedModel.pretrained(.efficientNetLite0, name: "lite0"),
                      try ServedModel.trained(name: "flowers", folder: folder)]
        let server = try RunningServer(models: models, options: ServerOptions(batching: BatchingLimits(maxBatch: 8), maxBodyBytes: ServeFixture.bodyLimit))
        let photos = photoNames.map { cache.root.appendingPathComponent("photos/\($0)") }
        return Shared(server: server, flowersFolder: folder, photos: photos)
    }

    static func get() throws -> Shared { try shared.get() }
}

extension XCTestCase {
    var fixture: ServeFixture.Shared { get throws { try ServeFixture.get() } }
}
