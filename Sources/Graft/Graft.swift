@_exported import GraftCore
@_exported import GraftNN
@_exported import GraftOptim

/// Graft's version, shown by `graft info`.
public let graftVersion = "0.1.0"
