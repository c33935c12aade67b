import GraftCore
import GraftNN
import GraftOptim

/// Trains a head on rows of a `FeatureTable` as stage 1 of the recipe would (its optimizer,
/// learning rate, schedule, batch size, label smoothing and class weights), from seeds of its
/// own: for work beside a run, such as out-of-fold predictions, that must not draw from the
/// run's random streams.
struct FeatureHeadTraining {
    let options: TrainingOptions
    let epochs: Int

    /// Trains `head` on `rows` of `table`; `seed` fixes the shuffling and the dropout.
    func train(_ head: Sequential, on table: FeatureTable, rows: [Int], classCounts: [Int], seed: UInt64) throws {
        guard !rows.isEmpty, epochs > 0 else { return }
        let optimizer = options.makeOptimizer(groups: [ParameterGroup(name: "default", parameters: head.namedParameters())],
                                              learningRate: options.headLearningRate)
        let stepsPerEpoch = (rows.count + options.batchSize - 1) / options.batchSize
        let schedule = options.learningRateSchedule(learningRate: options.headLearningRate, totalSteps: epochs * stepsPerEpoch,
                                                    stepsPerEpoch: stepsPerEpoch)
        let step = TrainStep(optimizer: optimizer, scheduler: LearningRateScheduler(optimizer: optimizer, schedule: schedule),
                             labelSmoothing: options.labelSmoothing,
                             classWeights: try options.classWeighting.weights(classCounts: classCounts),
                             gradientClipNorm: options.gradientClipNorm)
        for epoch in 0..<epochs {
            var generator = SeededGenerator(seed: derivedSeed(seed, SeedPurpose.shuffle.rawValue, UInt64(epoch)))
            let order = rows.shuffled(using: &generator)
            let context = ForwardContext(training: true, seed: derivedSeed(seed, SeedPurpose.dropout.rawValue, UInt64(epoch)))
            for start in stride(from: 0, to: order.count, by: options.batchSize) {
                let batch = order[start..<min(start + options.batchSize, order.count)]
                // A non-finite loss leaves the weights as they were (TrainStep's rule); the fold goes on.
                _ = try step(head(table.batch(batch), context: context), labels: batch.map { table.labels[$0] })
            }
        }
    }
}
