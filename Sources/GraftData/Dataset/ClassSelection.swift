/// The classes a run uses: every class the data has (sorted), or those `chosen` names, in that
/// order (Keras' `class_names`): a dataset with more classes then trains on a subset, and the
/// label indices follow the list.
struct ClassSelection {
    /// Index = label.
    let classNames: [String]
    /// Classes the data has that were not chosen; their images are left out.
    let leftOut: [String]

    /// Throws when a chosen name is not among `found`, naming it and listing what there is.
    init(found: [String], chosen: [String]?, source: String) throws {
        guard let chosen else {
            classNames = found
            leftOut = []
            return
        }
        let available = Set(found)
        if let unknown = chosen.first(where: { !available.contains($0) }) {
            throw DatasetError.unknownClass(name: unknown, source: source, available: found)
        }
        classNames = chosen
        leftOut = found.filter { !Set(chosen).contains($0) }
    }

    /// A line for the user when classes were left out, else nil.
    func note(images: Int? = nil) -> String? {
        guard !leftOut.isEmpty else { return nil }
        let count = images.map { ", \($0) image\($0 == 1 ? "" : "s")" } ?? ""
        return "note: training on the \(classNames.count) classes asked for; left out \(leftOut.count) (\(leftOut.joined(separator: ", "))\(count))"
    }
}
