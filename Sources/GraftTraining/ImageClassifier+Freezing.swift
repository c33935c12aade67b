import GraftModels
import GraftNN

/// Which part of the backbone fine-tuning trains.
public enum UnfreezeSelection: Equatable, Sendable {
    /// The last N block groups (the backbone's `blockGroups`, "stem", "blocks.0", ..., "head").
    case lastBlocks(Int)
    /// Every block group.
    case all
    /// Block groups by name.
    case blocks([String])
    /// Every parameter from the layer at this position on (Keras' `layers[index:]`), counting
    /// block groups in network order.
    case fromBlockIndex(Int)
}

public enum FreezingError: Error, Equatable, CustomStringConvertible {
    case unknownBlock(String, available: [String])
    case blockIndexOutOfRange(Int, count: Int)
    /// More block groups than the backbone has: a typo for `all` would otherwise mean `all`.
    case tooManyBlocks(Int, available: Int)

    public var description: String {
        switch self {
        case let .unknownBlock(name, available):
            return "unknown block '\(name)'; the backbone's blocks are \(available.joined(separator: ", "))"
        case let .blockIndexOutOfRange(index, count):
            return "block index \(index) is outside 0..<\(count)"
        case let .tooManyBlocks(count, available):
            return "cannot unfreeze the last \(count) blocks: the backbone has \(available) block groups; "
                + "give at most \(available), or 'all'"
        }
    }
}

extension ImageClassifier {
    /// Freezes the whole backbone; only the head trains.
    public func freezeBackbone() {
        backbone.freeze()
        head.unfreeze()
        applyBatchNormMode()
    }

    /// Freezes the backbone except `selection`; the head always trains and the backbone's own
    /// ImageNet classifier (unused) never does.
    public func unfreeze(_ selection: UnfreezeSelection) throws {
        let chosen = try blockGroups(selection)
        backbone.freeze()
        backbone.unfreeze(chosen.flatMap(\.prefixes))
        backbone.freeze(backbone.classifierPrefixes)
        head.unfreeze()
        applyBatchNormMode()
    }

    /// The backbone's block groups that `selection` names; an error names a block or index the
    /// backbone does not have.
    public func blockGroups(_ selection: UnfreezeSelection) throws -> [BlockGroup] {
        let groups = backbone.blockGroups
        switch selection {
        case .lastBlocks(let count):
            guard count <= groups.count else { throw FreezingError.tooManyBlocks(count, available: groups.count) }
            return Array(groups.suffix(max(0, count)))
        case .all: return groups
        case .fromBlockIndex(let index):
            guard index >= 0 && index <= groups.count else {
                throw FreezingError.blockIndexOutOfRange(index, count: groups.count)
            }
            return Array(groups[index...])
        case .blocks(let names):
            return try names.map { name in
                guard let group = groups.first(where: { $0.name == name }) else {
                    throw FreezingError.unknownBlock(name, available: groups.map(\.name))
                }
                return group
            }
        }
    }

    /// A sensible default for fine-tuning: about the last quarter of the block groups, at least
    /// one (EfficientNet-Lite0: its last three MBConv blocks and the final 1x1 group).
    public var defaultFineTuneBlocks: Int { max(1, backbone.blockGroups.count / 4) }

    /// Backbone parameter keys (without "backbone.") that train now.
    public var trainableBackboneKeys: [String] {
        backbone.namedParameters().filter(\.tensor.requiresGrad).map(\.name)
    }
}

extension TrainingOptions {
    /// What stage 2 unfreezes in `classifier`: `unfreeze`, or by default the classifier's
    /// `defaultFineTuneBlocks` last block groups.
    public func fineTuneSelection(for classifier: ImageClassifier) -> UnfreezeSelection {
        unfreeze ?? .lastBlocks(classifier.defaultFineTuneBlocks)
    }
}
