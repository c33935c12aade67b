import GraftOptim

/// What stands between backward and the optimizer when several workers train one model on
/// different batches (data parallelism): it makes every worker's gradients the same (their
/// mean) before any of them updates, and combines the per-worker figures of an epoch.
///
/// `TrainStep` calls `gradientReady` as soon as backward has finished a parameter's gradient
/// (the head's first, the stem's last), so a synchronizer can start reducing early gradients
/// in buckets while backward is still computing the rest, as PyTorch DDP and Horovod do; then
/// `synchronizeGradients` waits for all of them. The trainer knows nothing else about workers.
public protocol GradientSynchronizer: AnyObject {
    /// `parameter.tensor.grad` is final for this step. Called on the training thread, once per
    /// trainable parameter the loss reached, never for frozen ones.
    func gradientReady(_ parameter: NamedParameter)
    /// Returns once every gradient holds its synchronized value; called after backward, before
    /// gradient clipping and the optimizer.
    func synchronizeGradients() throws
    /// The sums of every worker's totals, so each reports the same epoch loss and accuracy.
    func reduce(_ totals: RunningTotals) throws -> RunningTotals
}
