@_exported import GraftCore
@_exported import GraftFiles
@_exported import GraftDownload
@_exported import GraftNN
@_exported import GraftOptim
@_exported import GraftCheckpoint
@_exported import GraftData
@_exported import GraftModels
@_exported import GraftTraining

/// Graft's version, shown by `graft info`.
public let graftVersion = "0.1.0"
