/// Confident learning (Northcutt, Jiang and Chuang, "Confident Learning: Estimating Uncertainty
/// in Dataset Labels", JAIR 2021) on out-of-fold probabilities: which given labels are likely
/// wrong, and what the label probably is.
///
/// Each class j gets a threshold t_j, the mean out-of-fold probability of j over the images
/// labelled j (the model's typical confidence in that class where it is right to be confident).
/// An image labelled y is a candidate when p_y < t_y (the model is less sure of its label than it
/// typically is) while some other class k has p_k >= t_k (it is as sure of k as it typically is
/// of k's own images). The suggested label is the most probable such k.
///
/// Candidates are ranked by the normalized margin p_suggested - p_given (in (-1, 1], larger is
/// more likely wrong; cleanlab's `normalized_margin` ranking with the sign turned), ties by
/// image order.
enum ConfidentLearning {
    struct Candidate: Equatable {
        let index: Int
        let givenLabel: Int
        let suggestedLabel: Int
        let givenProbability: Double
        let suggestedProbability: Double
        var score: Double { suggestedProbability - givenProbability }
    }

    /// t_j for each class; a class no image is labelled with gets +infinity (no image can be
    /// confidently of a class the model has no examples of).
    static func thresholds(probabilities: [Double], labels: [Int], classes: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: classes), counts = [Int](repeating: 0, count: classes)
        for (i, label) in labels.enumerated() {
            sums[label] += probabilities[i * classes + label]
            counts[label] += 1
        }
        return (0..<classes).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : .infinity }
    }

    /// The candidates, most likely wrong first.
    static func candidates(probabilities: [Double], labels: [Int], classes: Int, thresholds: [Double]) -> [Candidate] {
        precondition(probabilities.count == labels.count * classes && thresholds.count == classes,
                     "\(probabilities.count) probabilities for \(labels.count) images of \(classes) classes")
        var found: [Candidate] = []
        for (i, given) in labels.enumerated() {
            let row = probabilities[(i * classes)..<((i + 1) * classes)]
            let pGiven = row[i * classes + given]
            guard pGiven < thresholds[given] else { continue }
            var best: (label: Int, p: Double)?
            for k in 0..<classes where k != given {
                let p = row[i * classes + k]
                if p >= thresholds[k] && p > (best?.p ?? -1) { best = (k, p) }
            }
            guard let best else { continue }
            found.append(Candidate(index: i, givenLabel: given, suggestedLabel: best.label, givenProbability: pGiven,
                                   suggestedProbability: best.p))
        }
        return found.sorted { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
    }
}
