import CDNNL
@testable import GraftCore

/// How a test leaf is stored: row-major, in the channel-blocked layout convolutions produce, or
/// channels-last as LayerNorm over the channels and `pixelLinear` produce.
enum LeafLayout: CustomStringConvertible {
    case plain
    /// nChw8c (block 8) or nChw16c (block 16); needs a 4-D shape.
    case blocked(Int)
    /// nhwc; needs a 4-D shape.
    case channelsLast

    var description: String {
        switch self {
        case .plain: return "plain"
        case let .blocked(b): return "nChw\(b)c"
        case .channelsLast: return "nhwc"
        }
    }
}

/// A tensor holding `values` (row-major) in `layout`, optionally a leaf that wants a gradient.
func makeTensor(shape: [Int], values: [Float], layout: LeafLayout = .plain, requiresGrad: Bool = false) -> Tensor {
    let plain = Tensor(shape: shape, values: values, requiresGrad: requiresGrad)
    if case .channelsLast = layout {
        precondition(shape.count == 4, "channels-last leaves are 4-D")
        let tensor = Tensor(storage: plain.storage.reordered(to: .channelsLast(shape)), shape: shape, requiresGrad: requiresGrad)
        precondition(tensor.layoutDescription == "channels-last", "made \(tensor.layoutDescription), not nhwc")
        return tensor
    }
    guard case let .blocked(block) = layout else { return plain }
    precondition(shape.count == 4 && (block == 8 || block == 16), "blocked leaves are 4-D, block 8 or 16")
    let target = Layout(tagged: shape, tag: block == 16 ? dnnl_aBcd16b : dnnl_aBcd8b)
    let tensor = Tensor(storage: plain.storage.reordered(to: target), shape: shape, requiresGrad: requiresGrad)
    precondition(tensor.layoutDescription == "blocked(C by \(block))", "made \(tensor.layoutDescription), not nChw\(block)c")
    return tensor
}
