extension PackagedFiles {
    /// Backbones Graft builds but has no weights to fetch for: they load a checkpoint the user
    /// supplies (`--weights FILE`).
    public static var backbonesWithoutWeights: [BackboneKind] {
        BackboneKind.allCases.filter { $0.pretrainedFile == nil }
    }

    /// The files `name` stands for (one file, or a set such as "sample-photos"). The error for a
    /// backbone without fetchable weights says to pass a checkpoint instead.
    public static func files(named name: String) throws -> [PackagedFile] {
        if let files = named(name) { return files }
        if let kind = BackboneKind(rawValue: name), kind.pretrainedFile == nil {
            throw WeightsError.nothingToFetch(backbone: kind)
        }
        throw WeightsError.unknown(name, known: all.map(\.name) + sets.keys.sorted())
    }
}
