/// A failure of the work a command was asked to do (not of how it was asked): printed as
/// "Error: ..." without the usage text that `ValidationError` brings.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
