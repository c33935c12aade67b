import Foundation
import GraftCore
import GraftData

extension LabelIssues {
    /// Looks for label issues in `trainingSet` and near-duplicates between it and `validationSet`
    /// through `classifier`'s backbone (its pooled features, images only resized and normalized).
    /// The fold heads take the classifier's head configuration and `training`'s stage-1 recipe
    /// (optimizer, learning rate, batch size, seed); `classifier` itself is not changed.
    ///
    /// - Parameter thumbnailSize: the longer side of the thumbnails of the first
    ///   `options.shown` of each kind (0 makes none).
    public static func find(classifier: ImageClassifier, trainingSet: ImageDataset, validationSet: ImageDataset?,
                            options: LabelIssueOptions = LabelIssueOptions(), training: TrainingOptions = TrainingOptions(),
                            thumbnailSize: Int = 96) throws -> LabelIssues {
        try options.validate()
        try training.validate()
        let start = Date()
        let train = try FeatureTable(classifier: classifier, dataset: trainingSet, batchSize: training.batchSize, threads: training.loaderThreads)
        let validation = try validationSet.flatMap { $0.count > 0 ? $0 : nil }.map {
            try FeatureTable(classifier: classifier, dataset: $0, batchSize: training.batchSize, threads: training.loaderThreads)
        }
        var found = try find(features: (train, validation), trainingSet: trainingSet, validationSet: validationSet,
                             classNames: classifier.classNames, head: classifier.headConfiguration, options: options,
                             training: training, thumbnailSize: thumbnailSize)
        found.featureSeconds = Date().timeIntervalSince(start) - found.searchSeconds
        return found
    }

    /// The search on features already computed (a run's stage-1 cache), in the datasets' order.
    static func find(features: (train: FeatureTable, validation: FeatureTable?), trainingSet: ImageDataset,
                     validationSet: ImageDataset?, classNames: [String], head: HeadConfiguration,
                     options: LabelIssueOptions, training: TrainingOptions, thumbnailSize: Int) throws -> LabelIssues {
        let start = Date()
        let classes = classNames.count, n = features.train.labels.count
        precondition(features.train.labels == trainingSet.samples.map(\.label), "training features are not in the data set's order")
        var notes: [String] = []
        var mislabelled: [MislabelledImage] = [], thresholds: [Double] = []
        let folds = min(options.folds, n)
        if classes < 2 {
            notes.append("one class: no other label to suggest, so no label issues were looked for")
        } else if n < 2 {
            notes.append("fewer than 2 training images: no folds to train on, so no label issues were looked for")
        } else {
            if folds < options.folds { notes.append("\(n) training images: \(folds) folds instead of \(options.folds)") }
            let epochs = options.foldEpochs ?? (training.headEpochs > 0 ? training.headEpochs : 5)
            let probabilities = try OutOfFoldProbabilities(head: head, classes: classes, folds: folds,
                                                           training: FeatureHeadTraining(options: training, epochs: epochs),
                                                           seed: derivedSeed(training.seed, SeedPurpose.labelIssues.rawValue))(features.train)
            thresholds = ConfidentLearning.thresholds(probabilities: probabilities, labels: features.train.labels, classes: classes)
            mislabelled = ConfidentLearning.candidates(probabilities: probabilities, labels: features.train.labels, classes: classes,
                                                       thresholds: thresholds).map {
                MislabelledImage(file: trainingSet.samples[$0.index].url, index: $0.index, givenLabel: $0.givenLabel,
                                 suggestedLabel: $0.suggestedLabel, givenProbability: $0.givenProbability,
                                 suggestedProbability: $0.suggestedProbability, score: $0.score, thumbnail: nil)
            }
        }
        var duplicates: [NearDuplicate] = [], pairsFound = 0
        if let validationFeatures = features.validation, let validationSet {
            precondition(validationFeatures.labels == validationSet.samples.map(\.label), "validation features are not in the data set's order")
            let search = NearDuplicateSearch.pairs(training: features.train, validation: validationFeatures, threshold: options.duplicateThreshold)
            pairsFound = search.total
            duplicates = search.pairs.map {
                let a = trainingSet.samples[$0.trainingIndex], b = validationSet.samples[$0.validationIndex]
                return NearDuplicate(trainingFile: a.url, validationFile: b.url, trainingIndex: $0.trainingIndex,
                                     validationIndex: $0.validationIndex, trainingLabel: a.label, validationLabel: b.label,
                                     similarity: $0.similarity, trainingThumbnail: nil, validationThumbnail: nil)
            }
        } else {
            notes.append("no validation images: no near-duplicates across splits to look for")
        }
        if thumbnailSize > 0 {
            for i in mislabelled.indices.prefix(options.shown) {
                mislabelled[i].thumbnail = Thumbnail.dataURI(contentsOf: mislabelled[i].file, maxSide: thumbnailSize)
            }
            for i in duplicates.indices.prefix(options.shown) {
                duplicates[i].trainingThumbnail = Thumbnail.dataURI(contentsOf: duplicates[i].trainingFile, maxSide: thumbnailSize)
                duplicates[i].validationThumbnail = Thumbnail.dataURI(contentsOf: duplicates[i].validationFile, maxSide: thumbnailSize)
            }
        }
        return LabelIssues(classNames: classNames, mislabelled: mislabelled, duplicates: duplicates, duplicatePairsFound: pairsFound,
                           thresholds: thresholds, options: options, folds: classes < 2 || n < 2 ? 0 : folds, trainingImages: n,
                           validationImages: features.validation.map { $0.labels.count }, featureSeconds: 0,
                           searchSeconds: Date().timeIntervalSince(start), notes: notes)
    }
}
