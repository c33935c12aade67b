extension ImageFolder {
    /// The split a trained model is scored on: the test split, else the validation split; a
    /// plain class folder has no held-out split, so all its images are scored, with a warning
    /// (they may include the very images the model was trained on).
    public var evaluationSplit: (name: String, images: ImageDataset, warning: String?) {
        if let test { return ("test", test, nil) }
        if let validation { return ("validation", validation, nil) }
        let warning = layout == .classFolders
            ? "warning: \(root.path) has no test/ or validation/ folder, so every image is scored; "
                + "images the model was trained on make the numbers look better than they are"
            : "warning: \(root.path) has no test/ or validation/ folder; scoring its training images, "
                + "which make the numbers look better than they are"
        return (layout == .classFolders ? "all images" : "train", train, warning)
    }
}
