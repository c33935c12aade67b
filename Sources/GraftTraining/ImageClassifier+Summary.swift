import Foundation
import GraftCore
import GraftModels

extension ImageClassifier {
    /// One line per block group and the head with its parameter counts, trainable and frozen,
    /// in the manner of Keras' `model.summary()`.
    public func summary() -> String {
        let parameters = backbone.namedParameters()
        var rows: [(name: String, trainable: Int, frozen: Int)] = backbone.blockGroups.map { group in
            let mine = parameters.filter { entry in group.prefixes.contains { keyMatches(entry.name, $0) } }
            return (group.name, count(mine, trainable: true), count(mine, trainable: false))
        }
        let headParameters = head.namedParameters()
        rows.append(("head " + headDescription, count(headParameters, trainable: true), count(headParameters, trainable: false)))
        let width = max(24, rows.map(\.name.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        func right(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        var lines = ["\(backboneKind.rawValue), input \(preprocessing.width)x\(preprocessing.height), "
                     + "\(classNames.count) classes, BatchNorm: \(batchNormMode.rawValue)",
                     pad("block", width) + right("trainable", 14) + right("frozen", 14)]
        for row in rows {
            lines.append(pad(row.name, width) + right(String(row.trainable), 14) + right(String(row.frozen), 14))
        }
        let totals = parameterCounts
        let buffers = namedBuffers().reduce(0) { $0 + $1.tensor.count }
        lines.append("total: \(totals.trainable) trainable, \(totals.nonTrainable - buffers) frozen, "
                     + "\(buffers) BatchNorm statistics")
        return lines.joined(separator: "\n")
    }

    private var headDescription: String {
        let output = headConfiguration.output == .sigmoid ? "1 sigmoid"
            : String(classNames.count) + (isMultiLabel ? " sigmoids" : "")
        let widths = headConfiguration.hiddenUnits.map(String.init) + [output]
        let pooling = headConfiguration.pooling == .avg ? "" : headConfiguration.pooling.rawValue + " "
        return "(\(pooling)\(headInputWidth) -> \(widths.joined(separator: " -> ")))"
    }

    private func count(_ entries: [(name: String, tensor: GraftCore.Tensor)], trainable: Bool) -> Int {
        entries.filter { $0.tensor.requiresGrad == trainable }.reduce(0) { $0 + $1.tensor.count }
    }
}

/// "features.1" owns "features.1.conv.weight" but not "features.10.conv.weight".
func keyMatches(_ key: String, _ prefix: String) -> Bool {
    key == prefix || key.hasPrefix(prefix.hasSuffix(".") ? prefix : prefix + ".")
}
