/// The only globals a checkpoint pickle may name. Each is interpreted by the unpickler as data
/// (make a dict, describe a tensor); none is ever looked up or run. Any other global, such as
/// `os.system` or `builtins.eval`, is refused when the pickle names it.
enum AllowedGlobal: Equatable {
    case orderedDict
    case rebuildTensor
    case rebuildTensorV2
    case rebuildParameter
    case rebuildParameterWithState
    /// `torch.FloatStorage` and friends: they only say which element type a storage holds.
    case storageType(ElementType)

    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): self = .rebuildParameterWithState
        case ("torch", "FloatStorage"): self = .storageType(.float32)
        case ("torch", "HalfStorage"): self = .storageType(.float16)
        case ("torch", "BFloat16Storage"): self = .storageType(.bfloat16)
        case ("torch", "DoubleStorage"): self = .storageType(.float64)
        case ("torch", "LongStorage"): self = .storageType(.int64)
        default: return nil
        }
    }

    var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensor: return "torch._utils._rebuild_tensor"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .rebuildParameterWithState: return "torch._utils._rebuild_parameter_with_state"
        case .storageType(let type): return "torch.\(Self.storageName(type))"
        }
    }

    private static func storageName(_ type: ElementType) -> String {
        switch type {
        case .float32: return "FloatStorage"
        case .float16: return "HalfStorage"
        case .bfloat16: return "BFloat16Storage"
        case .float64: return "DoubleStorage"
        case .int64: return "LongStorage"
        }
    }
}
