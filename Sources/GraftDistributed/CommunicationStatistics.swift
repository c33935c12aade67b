/// Where a process's time went in communication, summed since it joined.
public struct CommunicationStatistics: Sendable, Equatable {
    /// Blocking collectives (loss and totals sums, gathers, broadcasts): the whole call.
    public var collectiveSeconds = 0.0
    public var collectiveBytes = 0
    /// Gradient allreduces: only the time the training thread waited for them after backward,
    /// since they run while backward computes the rest (the overlap is `gradientReduceSeconds`
    /// less this).
    public var gradientWaitSeconds = 0.0
    /// From the start of each step's first gradient allreduce to the end of its last.
    public var gradientReduceSeconds = 0.0
    public var gradientBytes = 0
    public var gradientSteps = 0
    /// Synchronized BatchNorm's sums of statistics, forward and backward: the whole call.
    public var batchStatisticsSeconds = 0.0

    /// Every second the training thread spent waiting for other processes.
    public var waitSeconds: Double { collectiveSeconds + gradientWaitSeconds + batchStatisticsSeconds }
}
