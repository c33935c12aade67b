/// What an optimizer keeps for one parameter between steps.
final class ParameterState {
    /// Updates received so far; 0 until the first one (SGD starts its momentum from it).
    var step = 0
    /// In the order of the optimizer's `bufferNames`, each with as many elements as the parameter.
    let buffers: [StateBuffer]

    init(buffers: [StateBuffer]) {
        self.buffers = buffers
    }
}
