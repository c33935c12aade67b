extension TrainingReport {
    /// What averaging test-time views gained on the validation images: `evaluate --tta` and
    /// `predict --tta` for the saved model.
    func testTimeAugmentationSection(_ evaluation: TestTimeEvaluation) -> String {
        let gain = 100 * evaluation.accuracyGain
        return "<h2>Test-time augmentation</h2>\n<p class=\"meta\">Averaging the probabilities of \(evaluation.views) views "
            + "(\(escapeHTML(evaluation.augmentation))) of each validation image: accuracy \(Self.number(evaluation.plain.accuracy)) → "
            + "\(Self.number(evaluation.augmented.accuracy)) (\(gain >= 0 ? "+" : "")\(String(format: "%.2f", gain)) points), loss "
            + "\(Self.number(evaluation.plain.loss)) → \(Self.number(evaluation.augmented.loss)). "
            + "<code>graft predict --tta \(escapeHTML(evaluation.augmentation))</code> and <code>graft evaluate --tta</code> do the same.</p>\n"
    }
}
