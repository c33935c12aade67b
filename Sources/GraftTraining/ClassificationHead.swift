import GraftCore
import GraftNN

extension HeadConfiguration {
    /// The head as a `Sequential`, so parameter names read "head.0.weight", "head.3.bias", ...
    /// Layer order: [Linear, ReLU, Dropout] per hidden layer, then Dropout (if any), Linear, and
    /// for a sigmoid output `TwoClassLogits` (no parameters).
    func makeHead(featureWidth: Int, classes: Int, generator: inout SeededGenerator) -> Sequential {
        precondition(output != .sigmoid || classes == 2, "a sigmoid output needs exactly two classes, not \(classes)")
        var layers: [Module] = []
        var width = featureWidth
        for units in hiddenUnits {
            layers.append(Linear(inFeatures: width, outFeatures: units, generator: &generator))
            layers.append(ActivationLayer(.relu))
            if dropout > 0 { layers.append(Dropout(dropout)) }
            width = units
        }
        if dropout > 0 && hiddenUnits.isEmpty { layers.append(Dropout(dropout)) }
        layers.append(Linear(inFeatures: width, outFeatures: output.units(classes: classes), generator: &generator))
        if output == .sigmoid { layers.append(TwoClassLogits()) }
        return Sequential(layers)
    }
}
