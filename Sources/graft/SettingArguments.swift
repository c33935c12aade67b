import ArgumentParser
import Graft
import GraftExport

// The library's choices as command-line values: `--backbone resnet50`, `--bn train`, ...;
// ArgumentParser lists the allowed values in the help and refuses others by name.
extension BackboneKind: ExpressibleByArgument {}
extension BatchNormMode: ExpressibleByArgument {}
extension ResizeMode: ExpressibleByArgument {}
extension ResampleFilter: ExpressibleByArgument {}
extension HeadOutput: ExpressibleByArgument {}
extension StageSchedule: ExpressibleByArgument {}
extension AugmentationPreset: ExpressibleByArgument {}
extension BorderFill: ExpressibleByArgument {}
extension FlipDirections: ExpressibleByArgument {}
extension HeadPooling: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension Monitor: ExpressibleByArgument {}
extension ModelBenchmarkMode: ExpressibleByArgument {}
extension ONNXOutputs: ExpressibleByArgument {}
extension TestTimeAugmentation: ExpressibleByArgument {}
extension CalibrationMethod: ExpressibleByArgument {}

/// `--class-weights`: the two `ClassWeighting`s a command line can name.
enum ClassWeightsChoice: String, CaseIterable, ExpressibleByArgument {
    case none
    /// Inverse class frequency.
    case auto

    var weighting: ClassWeighting { self == .auto ? .automatic : .none }
}

/// Runs `body` and says the library's `InvalidSetting` in this command's words: its flags
/// instead of the settings' property names. Before any work (`asUsageError`), as a usage error;
/// later, as a failure of the run.
func renamingSettings<T>(_ flags: [String: String], asUsageError: Bool = true, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as InvalidSetting {
        let message = error.renamed(flags).description
        if asUsageError { throw ValidationError(message) }
        throw CommandFailure(message)
    }
}
