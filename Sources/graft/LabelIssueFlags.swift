import ArgumentParser
import Graft

/// `graft train`'s flags for the search for label issues and near-duplicates after stage 1.
struct LabelIssueFlags: ParsableArguments {
    @Flag(help: "Do not look for likely wrong labels and near-duplicates across the splits after stage 1 (label_issues.csv).")
    var noLabelIssues = false
    @Option(help: ArgumentHelp("Cosine similarity of backbone features from which a training and a validation image count as near-duplicates.",
                               valueName: "similarity"))
    var duplicateThreshold = LabelIssueOptions().duplicateThreshold
    @Option(help: ArgumentHelp("Folds of the out-of-fold predictions that find likely wrong labels.", valueName: "K"))
    var labelIssueFolds = LabelIssueOptions().folds
    @Option(help: ArgumentHelp("How many label issues and near-duplicates the report shows with thumbnails (label_issues.csv lists all).",
                               valueName: "N"))
    var labelIssuesShown = LabelIssueOptions().shown

    /// The library's names of these settings, as flags.
    static let flags = [
        "labelIssues.duplicateThreshold": "--duplicate-threshold", "labelIssues.folds": "--label-issue-folds",
        "labelIssues.shown": "--label-issues-shown",
    ]

    /// The flags as the library's options.
    var options: LabelIssueOptions {
        var options = LabelIssueOptions()
        options.enabled = !noLabelIssues
        options.duplicateThreshold = duplicateThreshold
        options.folds = labelIssueFolds
        options.shown = labelIssuesShown
        return options
    }

    /// Checks the values before any work, as a usage error that names the flag.
    func checkSettings() throws {
        try renamingSettings(Self.flags) { try options.validate() }
    }
}
