/// Holds out the same fraction of every class for validation, reproducibly from a seed, so a
/// rare class is never missing from validation by bad luck. Multi-label images are grouped by
/// their `label`, the rarest of their classes, so the rare classes are the ones kept in both.
enum StratifiedSplit {
    /// Returns (train, validation) in the original file order. Throws when a class is too small
    /// to give validation at least one image and training at least one.
    static func split(_ dataset: ImageDataset, fraction: Double, seed: UInt64,
                      classFolder: (Int) -> String) throws -> (ImageDataset, ImageDataset) {
        var heldOut = Set<Int>()
        var byClass = [[Int]](repeating: [], count: dataset.classNames.count)
        for (i, sample) in dataset.samples.enumerated() { byClass[sample.label].append(i) }
        for (label, members) in byClass.enumerated() {
            let count = members.count
            let wanted = Int((Double(count) * fraction).rounded())
            guard count >= 2 else {
                throw DatasetError.validationClassEmpty(path: classFolder(label), images: count)
            }
            let validationCount = min(max(wanted, 1), count - 1)
            var generator = SeedDerivation.generator(seed: seed, purpose: .validationSplit, UInt64(label))
            let order = generator.permutation(count)
            for k in order.prefix(validationCount) { heldOut.insert(members[k]) }
        }
        let train = dataset.samples.indices.filter { !heldOut.contains($0) }.map { dataset.samples[$0] }
        let validation = dataset.samples.indices.filter { heldOut.contains($0) }.map { dataset.samples[$0] }
        return (ImageDataset(classNames: dataset.classNames, samples: train, isMultiLabel: dataset.isMultiLabel),
                ImageDataset(classNames: dataset.classNames, samples: validation, isMultiLabel: dataset.isMultiLabel))
    }
}
