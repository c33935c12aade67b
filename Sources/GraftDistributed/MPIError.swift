import CMPI

/// An MPI call that failed, with Open MPI's own explanation.
public struct MPIError: Error, CustomStringConvertible {
    public let call: String
    public let code: Int32
    public let message: String

    init(call: String, code: Int32) {
        self.call = call
        self.code = code
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        message = MPI_Error_string(code, &text, &length) == MPI_SUCCESS ? String(cString: text) : "error \(code)"
    }

    public var description: String { "\(call) failed: \(message)" }
}

/// Throws `MPIError` unless `code` is MPI_SUCCESS.
func check(_ code: Int32, _ call: @autoclosure () -> String) throws {
    guard code == MPI_SUCCESS else { throw MPIError(call: call(), code: code) }
}
