import Foundation

/// Why a saved `OptimizerState` does not fit the optimizer it is loaded into. Each case names the
/// offending key, so that a mismatch between checkpoint and model can be found at once.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    case wrongOptimizer(expected: String, found: String)
    case missingHyperParameter(String)
    /// A setting that decides which state exists (SGD's momentum being on or off) differs.
    case incompatibleHyperParameter(name: String, expected: Float, found: Float)
    case missingGroup(String)
    case unexpectedGroup(String)
    /// A parameter of the optimizer that the saved group does not list.
    case missingParameter(key: String)
    /// A parameter in the saved state that the optimizer does not have.
    case unexpectedParameter(key: String)
    case missingBuffer(key: String, buffer: String)
    case shapeMismatch(key: String, buffer: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .wrongOptimizer(let expected, let found):
            return "optimizer state is for \(found), not \(expected)"
        case .missingHyperParameter(let name):
            return "optimizer state lacks hyper-parameter '\(name)'"
        case .incompatibleHyperParameter(let name, let expected, let found):
            return "optimizer state has \(name) = \(found), which keeps different state than this optimizer's \(name) = \(expected)"
        case .missingGroup(let name):
            return "optimizer state lacks parameter group '\(name)'"
        case .unexpectedGroup(let name):
            return "optimizer state has parameter group '\(name)', which the optimizer does not"
        case .missingParameter(let key):
            return "optimizer state lacks parameter '\(key)'"
        case .unexpectedParameter(let key):
            return "optimizer state has parameter '\(key)', which the optimizer does not"
        case .missingBuffer(let key, let buffer):
            return "optimizer state for '\(key)' lacks buffer '\(buffer)'"
        case .shapeMismatch(let key, let buffer, let expected, let found):
            return "optimizer state for '\(key)' has buffer '\(buffer)' of shape \(found), but the parameter has shape \(expected)"
        }
    }
}

extension OptimizerStateError: LocalizedError {
    public var errorDescription: String? { description }
}
