import GraftCore
import GraftData
import GraftModels

extension ModelConfiguration {
    /// Formats this version of Graft reads.
    public static let readableFormats: Set<String> = [currentFormat]
    public static let maximumClasses = 100_000

    /// Checks every field before anything is built from it, so a damaged or hand-edited
    /// config.json gives an error naming `source`, the key and the value, never a trap in a
    /// precondition or an absurd allocation; returns the backbone and the preprocessing the file
    /// describes.
    public func validated(source: String) throws -> (backbone: BackboneKind, preprocessing: Preprocessing) {
        func invalid(_ key: String, _ value: String, _ requirement: String) -> SavedModelError {
            .outOfRange(file: source, key: key, value: value, requirement: requirement)
        }
        func checked(_ key: String, _ check: () throws -> Void) throws {
            do { try check() } catch let error as InvalidSetting { throw invalid(key, error.value, error.requirement) }
        }
        guard Self.readableFormats.contains(format) else {
            throw invalid("format", format, "one of \(Self.readableFormats.sorted().joined(separator: ", ")); a newer Graft may read it")
        }
        guard let kind = BackboneKind(rawValue: backbone) else { throw SavedModelError.invalidValue(file: source, key: "backbone", value: backbone) }
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
        if head.output.isMultiLabel { try checked("head.threshold") { try checkSetting("threshold", head.threshold, in: .open(0, 1)) } }
        let resolved = try preprocessing.preprocessing(source: source)
        guard inputSize.count == 2 else { throw invalid("input_size", "\(inputSize)", "[height, width]") }
        for (i, side) in inputSize.enumerated() {
            try checked("input_size[\(i)]") { try checkSetting("side", side, in: ClassifierOptions.imageSizes) }
        }
        guard inputSize == [preprocessing.height, preprocessing.width] else {
            throw invalid("input_size", "\(inputSize)", "the preprocessing's [height, width], [\(preprocessing.height), \(preprocessing.width)]")
        }
        let map = kind.featureMapSize(height: inputSize[0], width: inputSize[1])
        guard map.height > 0 && map.width > 0 else {
            throw invalid("input_size", "\(inputSize)", "at least \(kind.minimumImageSize) on each side for \(kind.rawValue)")
        }
        if head.pooling == .flatten {
            let inputs = HeadPooling.flatten.width(channels: kind.featureWidth, height: map.height, width: map.width)
            let outputs = head.hiddenUnits.first ?? head.output.units(classes: classNames.count)
            guard inputs.multipliedReportingOverflow(by: outputs).partialValue <= ClassifierOptions.maximumFirstLayerWeights else {
                throw invalid("head.pooling", "flatten", "a first dense layer of at most \(ClassifierOptions.maximumFirstLayerWeights) weights "
                              + "(input_size \(inputSize) flattens to \(inputs) inputs, times \(outputs) units)")
            }
        }
        if let calibration {
            guard calibration.method == .temperature else {
                throw SavedModelError.invalidValue(file: source, key: "calibration.method", value: calibration.method.rawValue)
            }
            try checked("calibration.temperature") {
                try checkSetting("temperature", calibration.temperature, in: Calibration.readableTemperatures)
            }
        }
        return (kind, resolved)
    }
}
