/// What stands between backward and the optimizer when several workers train one model on
/// different slices of each batch (data parallelism): it makes every worker's gradients the same
/// before any of them updates. Each worker's backward is seeded with its share of the batch's
/// loss (see `TrainStep`), so the synchronized gradient is the sum of the workers' gradients:
/// the gradient of the whole batch's loss.
///
/// `TrainStep` calls `gradientReady` as soon as backward has finished a parameter's gradient
/// (the head's first, the stem's last), so a synchronizer can start reducing early gradients
/// in buckets while backward is still computing the rest, as PyTorch DDP and Horovod do; then
/// `synchronizeGradients` waits for all of them. The trainer knows nothing else about workers.
public protocol GradientSynchronizer: AnyObject {
    /// The parameters the coming steps train, in the optimizer's order; called when a stage's
    /// step is made, before its first backward.
    func prepare(_ parameters: [NamedParameter])
    /// `parameter.tensor.grad` is final for this step. Called on the training thread, once per
    /// trainable parameter the loss reached, never for frozen ones, and not at all on a worker
    /// whose slice of the batch is empty.
    func gradientReady(_ parameter: NamedParameter)
    /// Returns once every gradient holds its synchronized value; called after backward, before
    /// gradient clipping and the optimizer. A parameter that no worker's loss reached keeps no
    /// gradient, as in one process.
    func synchronizeGradients() throws
}

extension GradientSynchronizer {
    public func prepare(_ parameters: [NamedParameter]) {}
}
