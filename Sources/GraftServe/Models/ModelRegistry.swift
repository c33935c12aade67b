import Foundation
import GraftCore
import GraftData

/// The models a server answers for, by name, and whether it still takes work.
final class ModelRegistry: Sendable {
    let endpoints: [String: ModelEndpoint]
    /// In the order they were given, for listings and the page.
    let names: [String]
    private let draining = Locked(false)

    init(models: [ServedModel], limits: BatchingLimits, decoding: DecodingOptions, metrics: ServerMetrics) throws {
        guard !models.isEmpty else { throw ServeSetupError.noModels }
        var endpoints: [String: ModelEndpoint] = [:]
        for model in models {
            guard endpoints[model.name] == nil else { throw ServeSetupError.duplicateModelName(model.name) }
            let name = model.name
            let observer = BatchObserver(
                queueDepthChanged: { metrics.queueDepthChanged(model: name, depth: $0) },
                batchRan: { metrics.batchRan(model: name, size: $0, seconds: $1) })
            endpoints[name] = ModelEndpoint(model: model, limits: limits, decoding: decoding, observer: observer)
        }
        self.endpoints = endpoints
        names = models.map(\.name)
    }

    func endpoint(_ name: String) throws -> ModelEndpoint {
        guard let endpoint = endpoints[name] else { throw ServeError.unknownModel(name, known: names) }
        return endpoint
    }

    /// True once every model has warmed up, false again once shutdown has begun: load balancers
    /// send work only when it runs at full speed, and stop while accepted work finishes.
    var isReady: Bool { names.allSatisfy(isReady) }

    func isReady(_ name: String) -> Bool { !draining.withLock { $0 } && endpoints[name]?.isWarm == true }

    func beginDraining() { draining.withLock { $0 = true } }

    /// Waits for every accepted request to be answered, then stops the batchers.
    func stop() {
        beginDraining()
        for name in names { endpoints[name]?.stop() }
    }
}
