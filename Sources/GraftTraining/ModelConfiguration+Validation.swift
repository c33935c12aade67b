import GraftCore
import GraftModels

extension ModelConfiguration {
    /// Formats this version of Graft reads.
    public static let readableFormats: Set<String> = [currentFormat]
    public static let maximumClasses = 100_000

    /// Checks every field before anything is built from it, so a damaged or hand-edited
    /// config.json gives an error naming `source`, the key and the value, never a trap in a
    /// precondition or an absurd allocation.
    public func validate(source: String) throws {
        func invalid(_ key: String, _ value: String, _ requirement: String) -> SavedModelError {
            .outOfRange(file: source, key: key, value: value, requirement: requirement)
        }
        func checked(_ key: String, _ check: () throws -> Void) throws {
            do { try check() } catch let error as InvalidSetting { throw invalid(key, error.value, error.requirement) }
        }
        guard Self.readableFormats.contains(format) else {
            throw invalid("format", format, "one of \(Self.readableFormats.sorted().joined(separator: ", ")); a newer Graft may read it")
        }
        guard BackboneKind(rawValue: backbone) != nil else { throw SavedModelError.invalidValue(file: source, key: "backbone", value: backbone) }
        guard !classNames.isEmpty else { throw SavedModelError.invalidValue(file: source, key: "class_names", value: "[]") }
        try checked("class_names") { try checkSetting("class_names", classNames.count, in: 1...Self.maximumClasses) }
        if let empty = classNames.firstIndex(of: "") { throw invalid("class_names[\(empty)]", "\"\"", "a non-empty name") }
        var seen = Set<String>()
        for name in classNames where !seen.insert(name).inserted { throw invalid("class_names", "\"\(name)\" twice", "distinct names") }
        for (i, width) in head.hiddenUnits.enumerated() {
            try checked("head.hidden_units[\(i)]") { try checkSetting("width", width, in: 1...ClassifierOptions.maximumHiddenUnits) }
        }
        try checked("head.dropout") { try checkSetting("dropout", head.dropout, in: .from(0, below: 1)) }
        if head.output == .sigmoid && classNames.count != 2 {
            throw SavedModelError.invalidValue(file: source, key: "head.output", value: "sigmoid (with \(classNames.count) classes; it needs 2)")
        }
        try preprocessing.validate(source: source)
        guard inputSize.count == 2 else { throw invalid("input_size", "\(inputSize)", "[height, width]") }
        for (i, side) in inputSize.enumerated() {
            try checked("input_size[\(i)]") { try checkSetting("side", side, in: ClassifierOptions.imageSizes) }
        }
        guard inputSize == [preprocessing.height, preprocessing.width] else {
            throw invalid("input_size", "\(inputSize)", "the preprocessing's [height, width], [\(preprocessing.height), \(preprocessing.width)]")
        }
    }
}

extension PreprocessingDescription {
    /// The numbers `preprocessing(source:)` does not already refuse: sizes within bounds and every
    /// normalization constant finite.
    func validate(source: String) throws {
        func invalid(_ key: String, _ value: String, _ requirement: String) -> SavedModelError {
            .outOfRange(file: source, key: "preprocessing.\(key)", value: value, requirement: requirement)
        }
        for (key, side) in [("height", height), ("width", width)] + (resizeSide.map { [("resize_side", $0)] } ?? [])
        where !(ClassifierOptions.imageSizes.lowerBound...4 * ClassifierOptions.imageSizes.upperBound).contains(side) {
            throw invalid(key, "\(side)", "between \(ClassifierOptions.imageSizes.lowerBound) and \(4 * ClassifierOptions.imageSizes.upperBound)")
        }
        for (key, values) in [("mean", mean ?? []), ("std", std ?? []), ("offset", offset.map { [$0] } ?? []), ("scale", scale.map { [$0] } ?? [])]
        where values.contains(where: { !$0.isFinite }) {
            throw invalid(key, "\(values)", "finite")
        }
        if let cropFraction, !cropFraction.isFinite { throw invalid("crop_fraction", "\(cropFraction)", "finite") }
    }
}
