/// Warns when the training classes differ a lot in size: accuracy then flatters the big classes,
/// and class weights or resampling are worth considering.
enum ClassBalance {
    static func warnings(for dataset: ImageDataset, ratio: Double) -> [String] {
        let counts = dataset.classCounts
        guard let largest = counts.indices.max(by: { counts[$0] < counts[$1] }),
              let smallest = counts.indices.min(by: { counts[$0] < counts[$1] }),
              counts[smallest] > 0 else { return [] }
        let observed = Double(counts[largest]) / Double(counts[smallest])
        guard observed > ratio else { return [] }
        return ["warning: classes are imbalanced: '\(dataset.classNames[largest])' has \(counts[largest]) training images, "
            + "'\(dataset.classNames[smallest])' has \(counts[smallest]) (\(String(format: "%.1f", observed))x); "
            + "consider class weights or more images of the small classes"]
    }
}
