import CDNNL

/// A oneDNN call that failed, with the call that failed and oneDNN's status.
public struct DNNLError: Error, CustomStringConvertible {
    public let call: String
    public let status: String

    public var description: String { "oneDNN: \(call) failed with \(status)" }
}

/// Checks a oneDNN status; a failure becomes a `DNNLError` naming the call.
@inline(__always)
func dnnlCheck(_ status: dnnl_status_t, _ call: @autoclosure () -> String) throws {
    guard status != dnnl_success else { return }
    throw DNNLError(call: call(), status: statusName(status))
}

/// For calls that cannot fail unless Graft itself is wrong (for example, a reorder between two
/// descriptors it built): a failure is a programmer mistake, not user input.
@inline(__always)
func dnnlMust(_ status: dnnl_status_t, _ call: @autoclosure () -> String) {
    precondition(status == dnnl_success, "oneDNN: \(call()) failed with \(statusName(status))")
}

private func statusName(_ status: dnnl_status_t) -> String {
    switch status {
    case dnnl_out_of_memory: return "out of memory"
    case dnnl_invalid_arguments: return "invalid arguments"
    case dnnl_unimplemented: return "unimplemented (no kernel for these shapes or layouts)"
    case dnnl_iterator_ends: return "iterator ends"
    case dnnl_runtime_error: return "runtime error"
    case dnnl_not_required: return "not required"
    default: return "status \(status.rawValue)"
    }
}
