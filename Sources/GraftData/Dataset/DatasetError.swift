/// Why a dataset folder cannot be used. Every case names the folder (or file) to look at.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    case notAFolder(path: String)
    case unreadableFolder(path: String, reason: String)
    /// `path` shows the bytes that are not UTF-8 escaped as \xHH.
    case undecodableClassFolderName(path: String)
    case emptyClassFolder(path: String)
    case noUsableImages(classFolder: String, skipped: Int)
    case tooFewClasses(root: String, found: [String])
    case missingClassFolder(path: String, split: String)
    case unknownClassFolder(path: String, split: String)
    case validationClassEmpty(path: String, images: Int)
    case invalidValidationFraction(Double)
    case unreadableImages(count: Int, first: [String])
    /// A class asked for (`--classes`, or a saved model's) that the data does not have.
    case unknownClass(name: String, source: String, available: [String])

    public var description: String {
        switch self {
        case .notAFolder(let path):
            return "\(path): not a folder"
        case .unreadableFolder(let path, let reason):
            return "\(path): cannot read the folder (\(reason))"
        case .undecodableClassFolderName(let path):
            return "\(path): the folder's name is not valid UTF-8, so it cannot be a class name; rename it "
                + "(for example with convmv, or mv and the name in UTF-8)"
        case .emptyClassFolder(let path):
            return "\(path): class folder has no \(ImageFormat.readableList) images"
        case .noUsableImages(let folder, let skipped):
            return "\(folder): none of the class's \(skipped) images could be decoded"
        case .tooFewClasses(let root, let found):
            let listed = found.isEmpty ? "none" : found.joined(separator: ", ")
            return "\(root): a classifier needs at least two class folders, found \(found.count) (\(listed)); "
                + "expected \(root)/<class>/<image> or \(root)/train/<class>/<image>"
        case .missingClassFolder(let path, let split):
            return "\(path): the \(split) split has no folder for this class of the training split"
        case .unknownClassFolder(let path, let split):
            return "\(path): the \(split) split has a class folder the training split does not have"
        case .validationClassEmpty(let path, let images):
            return "\(path): no validation images for this class (it has \(images) image\(images == 1 ? "" : "s"); "
                + "add images or lower the validation fraction's demands by adding a validation folder)"
        case .invalidValidationFraction(let fraction):
            return "validation fraction \(fraction) must be at least 0 (no validation split) and below 1"
        case .unknownClass(let name, let source, let available):
            return "\(source): no class '\(name)' (of the classes asked for); it has \(available.count): "
                + available.joined(separator: ", ")
        case .unreadableImages(let count, let first):
            return "\(count) image\(count == 1 ? "" : "s") could not be decoded (strict mode):\n"
                + first.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
