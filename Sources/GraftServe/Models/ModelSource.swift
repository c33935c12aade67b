import Foundation

/// What `graft serve` is asked to serve: `NAME=PATH`, or a model folder whose name comes from
/// the folder (the run's folder for `OUT/model`, so `runs/flowers/model` is served as `flowers`).
public struct ModelSource: Equatable, Sendable {
    public let name: String
    public let folder: URL

    public init(name: String, folder: URL) {
        self.name = name
        self.folder = folder
    }

    public init(parsing argument: String) throws {
        if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/") {
            let name = String(argument[..<equals])
            let path = String(argument[argument.index(after: equals)...])
            guard !path.isEmpty else { throw ServeSetupError.emptyModelPath(argument) }
            try self.init(checkedName: name, folder: URL(fileURLWithPath: path))
        } else {
            let folder = URL(fileURLWithPath: argument).standardizedFileURL
            let last = folder.lastPathComponent
            let name = last == "model" ? folder.deletingLastPathComponent().lastPathComponent : last
            try self.init(checkedName: name, folder: folder)
        }
    }

    private init(checkedName name: String, folder: URL) throws {
        try ModelSource.checkName(name)
        self.init(name: name, folder: folder)
    }

    /// Names travel in URL paths unescaped, so they keep to characters that need no escaping.
    public static func checkName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 100, name.allSatisfy(allowed.contains), name != ".", name != ".." else {
            throw ServeSetupError.badModelName(name)
        }
    }
}
