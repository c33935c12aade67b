import Foundation
import GraftFiles

extension OptimizerState {
    /// JSON with sorted keys, so that equal states give byte-identical files.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    public static func decoded(from data: Data) throws -> OptimizerState {
        try JSONDecoder().decode(OptimizerState.self, from: data)
    }

    /// Writes the state atomically: through a temporary file in the same directory and a rename.
    public func write(to url: URL) throws {
        try writeAtomically(try encoded(), to: url)
    }

    public static func read(from url: URL) throws -> OptimizerState {
        try decoded(from: try Data(contentsOf: url))
    }
}
