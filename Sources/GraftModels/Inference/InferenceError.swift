/// Why an inference request was refused before it reached the model.
public enum InferenceError: Error, Equatable, CustomStringConvertible {
    /// The values do not fill the shape they came with.
    case valueCountMismatch(shape: [Int], count: Int)
    /// The shape is not (N, C, H, W) with the model's (C, H, W).
    case shapeMismatch(expected: [Int], got: [Int])
    case emptyBatch
    case batchTooLarge(size: Int, limit: Int)
    /// Images were given to an executor that knows no preprocessing for them.
    case noPreprocessing

    public var description: String {
        switch self {
        case let .valueCountMismatch(shape, count):
            return "\(count) values do not fill shape \(shape) (\(shape.reduce(1, *)) elements)"
        case let .shapeMismatch(expected, got):
            return "input shape \(got) does not match the model's (N, \(expected.map(String.init).joined(separator: ", ")))"
        case .emptyBatch:
            return "the batch holds no examples"
        case let .batchTooLarge(size, limit):
            return "a batch of \(size) is larger than this executor's limit of \(limit)"
        case .noPreprocessing:
            return "this executor was made without a preprocessing rule, so it takes tensors, not images"
        }
    }
}
