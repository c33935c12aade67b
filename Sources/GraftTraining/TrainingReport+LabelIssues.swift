import Foundation

extension TrainingReport {
    /// The report's section on likely label issues and near-duplicates across splits: counts, the
    /// first `options.shown` of each kind with thumbnails, and where the full lists are.
    func labelIssuesSection(_ found: LabelIssues) -> String {
        let names = found.classNames.map(escapeHTML)
        var html = "<h2>Label issues and near-duplicates</h2>\n<p class=\"meta\">"
        if found.folds > 0 {
            html += "Each training image was scored by a head trained on the other \(found.folds - 1) of \(found.folds) folds of the "
                + "training set's backbone features. An image is a likely label issue when that model is less sure of its label "
                + "than it is on average of that class's images, and at least as sure of another class as it is of that class's "
                + "own (confident learning); ranked by the second class's probability minus the label's. "
        }
        if found.validationImages != nil {
            html += "Near-duplicates: a training and a validation image whose backbone features have a cosine similarity of at least "
                + "\(String(format: "%g", found.options.duplicateThreshold)) (the same photo, resized or re-encoded, is a leak "
                + "that flatters the validation metrics). "
        }
        html += "Every one is listed in <code>label_issues.csv</code>"
            + String(format: "; found in %.1f s.", found.featureSeconds + found.searchSeconds) + "</p>\n"
        for note in found.notes { html += "<p class=\"meta\">\(escapeHTML(note))</p>\n" }
        html += "<div class=\"cards\">\n<div class=\"card\"><div class=\"value\">\(found.mislabelled.count)</div>"
            + "<div class=\"label\">likely label issues of \(found.trainingImages)</div></div>\n"
        if found.validationImages != nil {
            html += "<div class=\"card\"><div class=\"value\">\(found.duplicatePairsFound)</div>"
                + "<div class=\"label\">near-duplicate pairs across splits</div></div>\n"
        }
        html += "</div>\n"
        let shownIssues = found.mislabelled.prefix(found.options.shown)
        if !shownIssues.isEmpty {
            html += "<h3>Likely wrong labels</h3>\n<p class=\"meta\">The \(shownIssues.count) most likely of \(found.mislabelled.count).</p>\n"
                + "<div class=\"mistakes label-issues\">\n"
            for issue in shownIssues {
                html += "<figure title=\"\(escapeHTML(issue.file.path))\">\(Self.thumbnail(issue.thumbnail, file: issue.file))<figcaption>"
                    + "labelled <span class=\"wrong\">\(names[issue.givenLabel])</span> (\(Self.percent(issue.givenProbability)))<br>"
                    + "looks like \(names[issue.suggestedLabel]) (\(Self.percent(issue.suggestedProbability)))<br>"
                    + "<span class=\"file\">\(escapeHTML(issue.file.lastPathComponent))</span></figcaption></figure>\n"
            }
            html += "</div>\n"
        }
        let shownPairs = found.duplicates.prefix(found.options.shown)
        if !shownPairs.isEmpty {
            html += "<h3>Near-duplicates across splits</h3>\n<p class=\"meta\">The \(shownPairs.count) most similar of "
                + "\(found.duplicatePairsFound) pairs: training image, then validation image.</p>\n<div class=\"duplicates\">\n"
            for pair in shownPairs {
                html += "<figure title=\"\(escapeHTML(pair.trainingFile.path)) and \(escapeHTML(pair.validationFile.path))\">"
                    + Self.thumbnail(pair.trainingThumbnail, file: pair.trainingFile)
                    + Self.thumbnail(pair.validationThumbnail, file: pair.validationFile)
                    + "<figcaption>similarity \(String(format: "%.4f", pair.similarity))<br>"
                    + "\(names[pair.trainingLabel]) / \(names[pair.validationLabel])<br>"
                    + "<span class=\"file\">\(escapeHTML(pair.trainingFile.lastPathComponent)) / "
                    + "\(escapeHTML(pair.validationFile.lastPathComponent))</span></figcaption></figure>\n"
            }
            html += "</div>\n"
        }
        return html
    }

    private static func thumbnail(_ uri: String?, file: URL) -> String {
        uri.map { "<img src=\"\(escapeHTML($0))\" alt=\"\(escapeHTML(file.lastPathComponent))\">" }
            ?? "<div class=\"missing\">image unreadable</div>"
    }

    private static func percent(_ p: Double) -> String { String(format: "%.1f%%", p * 100) }

    static let labelIssuesStyle = """
    .duplicates { display: flex; flex-wrap: wrap; gap: 0.8em; }
    .duplicates figure { margin: 0; width: 200px; font-size: 0.8em; }
    .duplicates img, .duplicates .missing { display: inline-block; max-width: 96px; max-height: 96px; border: 1px solid #ccc; margin-right: 2px; }
    .duplicates .missing { width: 96px; height: 96px; background: #eee; color: #999; }
    .duplicates .file { color: #888; word-break: break-all; }
    """
}
