import GraftCore
import GraftNN

extension HeadConfiguration {
    /// The head as a `Sequential`, so parameter names read "head.0.weight", "head.3.bias", ...
    /// Layer order: [Linear, ReLU, Dropout] per hidden layer, then Dropout (if any), Linear.
    func makeHead(featureWidth: Int, classes: Int, generator: inout SeededGenerator) -> Sequential {
        var layers: [Module] = []
        var width = featureWidth
        for units in hiddenUnits {
            layers.append(Linear(inFeatures: width, outFeatures: units, generator: &generator))
            layers.append(ActivationLayer(.relu))
            if dropout > 0 { layers.append(Dropout(dropout)) }
            width = units
        }
        if dropout > 0 && hiddenUnits.isEmpty { layers.append(Dropout(dropout)) }
        layers.append(Linear(inFeatures: width, outFeatures: classes, generator: &generator))
        return Sequential(layers)
    }
}
