import Foundation
import GraftModels

/// The outputs a request asked for (all of them when it named none), checked before the model
/// runs, and built from its logits afterwards.
struct OutputSelection {
    private let requested: [InferRequest.RequestedOutput]
    private let binaryByDefault: Bool

    init(_ request: InferRequest) throws {
        binaryByDefault = request.binaryOutputs
        let known = [ModelMetadata.Names.probabilities, ModelMetadata.Names.logits, ModelMetadata.Names.labels]
        guard let outputs = request.outputs else {
            requested = [ModelMetadata.Names.probabilities, ModelMetadata.Names.labels]
                .map { .init(name: $0, binary: nil, classification: nil) }
            return
        }
        for (index, output) in outputs.enumerated() {
            guard known.contains(output.name) else {
                throw ServeError.badRequest("outputs[\(index)].name '\(output.name)' is not an output of this model: choose from \(known.joined(separator: ", "))")
            }
            if output.classification != nil && output.name == ModelMetadata.Names.labels {
                throw ServeError.badRequest("outputs[\(index)]: classification applies to \"probabilities\" or \"logits\", not \"labels\"")
            }
        }
        requested = outputs
    }

    func tensors(logits: InferenceOutput, probabilities: [[Double]], classNames: [String]) -> [InferResponse.Output] {
        let count = probabilities.count
        return requested.map { output in
            let binary = output.binary ?? binaryByDefault
            if output.name == ModelMetadata.Names.labels {
                let labels = topPredictions(logits: logits.values, classes: classNames, k: 1).map { $0[0].label }
                return .init(name: output.name, datatype: "BYTES", shape: [count], values: .strings(labels), binary: binary)
            }
            let isLogits = output.name == ModelMetadata.Names.logits
            if let k = output.classification {
                let top = min(k, classNames.count)
                // Triton's classification format: "score:index:label", most probable first.
                let strings = topPredictions(logits: logits.values, classes: classNames, k: top).enumerated().flatMap { row, ranked in
                    ranked.map { prediction in
                        let score = isLogits ? Double(logits.row(row)[logits.row(row).startIndex + prediction.index]) : probabilities[row][prediction.index]
                        return "\(String(format: "%f", score)):\(prediction.index):\(prediction.label)"
                    }
                }
                return .init(name: output.name, datatype: "BYTES", shape: [count, top], values: .strings(strings), binary: binary)
            }
            let values = isLogits ? logits.values : probabilities.flatMap { $0.map(Float.init) }
            return .init(name: output.name, datatype: "FP32", shape: [count, classNames.count], values: .floats(values), binary: binary)
        }
    }
}
