extension ImageTransform {
    /// The crop a test-time view cuts, at the scale the preprocessing's rule gives the image:
    /// torchvision's `FiveCrop` geometry. With a resize-then-crop rule the crop slides to the
    /// corners of the resized image; with a crop-first rule, to the corners of the image's
    /// central square; with a plain stretch or letterbox (which crop nothing) the view is
    /// seven-eighths of the image, at the corners.
    func rendered(_ image: RGBImage, view: TestTimeView) -> PlanarImage {
        let p = preprocessing
        let planar: PlanarImage
        if view.position == .center {
            planar = resizedByRule(image)
        } else {
            switch p.resize {
            case .shorterSideThenCenterCrop(let side):
                let (width, height) = Resampler.shorterSideSize(width: image.width, height: image.height, shorterSide: side)
                let offset = view.position.offset(freeX: Double(max(0, width - p.width)), freeY: Double(max(0, height - p.height)))
                let sx = Double(image.width) / Double(width), sy = Double(image.height) / Double(height)
                let box = CropBox(x: offset.x * sx, y: offset.y * sy, width: Double(p.width) * sx, height: Double(p.height) * sy)
                planar = Resampler.resample(image, box: box, width: p.width, height: p.height, filter: p.filter)
            case .centralSquareThenResize(let fraction):
                let shorter = min(image.width, image.height)
                let side = max(1, Int(fraction * Double(shorter)))
                let offset = view.position.offset(freeX: Double(shorter - side), freeY: Double(shorter - side))
                let square = image.cropped(x: (image.width - shorter + 1) / 2 + Int(offset.x),
                                           y: (image.height - shorter + 1) / 2 + Int(offset.y), width: side, height: side)
                planar = Resampler.resample(square, box: CropBox(covering: side, side), width: p.width, height: p.height, filter: p.filter)
            case .stretch, .pad:
                let width = 0.875 * Double(image.width), height = 0.875 * Double(image.height)
                let offset = view.position.offset(freeX: Double(image.width) - width, freeY: Double(image.height) - height)
                let box = CropBox(x: offset.x, y: offset.y, width: width, height: height)
                planar = p.resize == .pad ? letterboxed(image, box: box)
                    : Resampler.resample(image, box: box, width: p.width, height: p.height, filter: p.filter)
            }
        }
        return view.mirrored ? planar.flippedHorizontally() : planar
    }
}

extension ImageTransform {
    /// The image as the model sees it at evaluation (the preprocessing's resize rule, before
    /// normalization), in 8 bits: what a heat map of the model's attention is drawn over.
    public func evaluationView(_ image: RGBImage) -> RGBImage {
        resizedByRule(image).rgbImage()
    }
}
