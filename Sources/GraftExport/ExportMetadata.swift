import Foundation
import Graft

/// The file's `metadata_props`: what a program that knows nothing of Graft needs to feed the
/// model and read its outputs (class names, input size, the exact preprocessing, the temperature
/// the logits are divided by), and where it came from (backbone, Graft's version). Values that
/// have structure are JSON.
enum ExportMetadata {
    static func properties(of source: ONNXExportSource) throws -> [(key: String, value: String)] {
        let p = source.preprocessing
        return [
            ("graft_version", graftVersion),
            ("backbone", source.architecture),
            ("head_output", source.headOutput.rawValue),
            // Shortest decimal that reads back as the same Double: "1", "1.5234".
            ("temperature", source.temperature == source.temperature.rounded() ? String(Int(source.temperature)) : "\(source.temperature)"),
            ("class_names", try json(source.classNames)),
            ("input_size", try json([p.height, p.width])),
            ("input_layout", "NCHW float32: (batch, 3, \(p.height), \(p.width)), channels in \(p.channelOrder.rawValue.uppercased()) order"),
            ("preprocessing", try json(PreprocessingDescription(p))),
            ("preprocessing_steps", p.steps),
        ] + (source.threshold.map { [("threshold", String($0))] } ?? [])
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Preprocessing {
    /// The preprocessing in words, precise enough to reimplement (the `preprocessing` entry
    /// holds the same as numbers).
    var steps: String {
        let size = "\(width)x\(height)"
        let filter = "an antialiased \(self.filter.rawValue) filter (the kernel stretched by the shrink factor, as Pillow's resize)"
        let geometry: String
        switch resize {
        case .shorterSideThenCenterCrop(let side):
            geometry = "Resize the RGB image so that its shorter side is \(side) pixels (the longer side scaled alike and truncated "
                + "to whole pixels) with \(filter), then cut the central \(size) (offsets rounded to whole pixels of the resized image)."
        case .stretch:
            geometry = "Resize the RGB image to \(size) with \(filter), ignoring its aspect ratio."
        case .centralSquareThenResize(let fraction):
            geometry = "Cut the central square whose side is \(fraction) of the shorter side (truncated to whole pixels; its left "
                + "edge at (width - side + 1) / 2 and its top at (height - side + 1) / 2, integer division), then resize it to "
                + "\(size) with \(filter)."
        case .pad:
            geometry = "Resize the RGB image, keeping its aspect ratio, to the largest size that fits \(size) (the scaled sides rounded "
                + "to whole pixels) with \(filter), and place it at the centre of a black \(size) image (left and top offsets "
                + "(\(width) - w) / 2 and (\(height) - h) / 2, integer division; black is 0 before normalization)."
        }
        let values: String
        switch normalization {
        case let .meanStd(mean, std):
            values = "Keep the resampled values unrounded; divide by 255, subtract the mean \(mean) and divide by the standard deviation \(std) (per channel, R, G, B)."
        case let .scaleAndShift(offset, scale):
            values = "Keep the resampled values (0 to 255) unrounded; compute (x - \(offset)) * \(scale) for every channel."
        }
        return "\(geometry) \(values) Lay the channels out as planes in \(channelOrder.rawValue.uppercased()) order: input (N, 3, \(height), \(width)), float32."
    }
}
