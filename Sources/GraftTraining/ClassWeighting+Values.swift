extension ClassWeighting {
    /// One weight per class, or nil for an unweighted loss.
    func weights(classCounts: [Int]) throws -> [Float]? {
        switch self {
        case .none: return nil
        case .explicit(let values):
            guard values.count == classCounts.count else {
                throw TrainingError.invalidClassWeights(count: values.count, classes: classCounts.count)
            }
            return values
        case .automatic:
            let total = Float(classCounts.reduce(0, +))
            let k = Float(classCounts.count)
            // A class with no training images never appears in a batch; its weight does not matter.
            return classCounts.map { $0 > 0 ? total / (k * Float($0)) : 1 }
        }
    }
}
