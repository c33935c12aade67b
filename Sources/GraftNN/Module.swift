import GraftCore

/// What a forward pass needs besides its input: whether it is training (dropout on, batch
/// statistics in BatchNorm), the generator that drives its randomness, whether it may fuse layers
/// and whether it records gradients.
///
/// Everything a pass depends on travels here rather than in process-wide switches, so passes on
/// several threads (a server's, a trainer's) each run as their own context says. A context is
/// used by one pass at a time (its randomness advances).
public final class ForwardContext {
    public var training: Bool
    /// Where dropout and stochastic depth draw from: one stream from `seed`, or draws keyed by
    /// each sample's place in the whole batch (set by a trainer for every step).
    public var randomness: LayerRandomness
    /// Whether chains that need no gradient run fused (see `LayerFusion`); off runs every layer as
    /// its own op, to compare or to rule fusion out.
    public var fusion: Bool
    /// Whether fused inference convolutions may run as Winograd F(4x4, 3x3) where that is faster
    /// (see `WinogradConvolution`); off keeps oneDNN's direct convolution, to compare. By default
    /// on for passes that do not train (inference, serving, validation) and off for training ones,
    /// whose frozen layers then compute exactly what they did before.
    public var winograd: Bool
    /// false: the pass records no backward, as inside `GradMode.withoutGradients` (applied by
    /// `callAsFunction` for the module's whole forward). true: the calling thread's grad mode
    /// decides, so a pass inside `withoutGradients` still records nothing.
    public var recordsGradients: Bool
    /// Set when this pass is one process's slice of a batch that several processes train on:
    /// BatchNorm layers that use batch statistics then use those of the whole batch.
    public var sharedBatchStatistics: SharedBatchStatistics?

    public init(training: Bool, seed: UInt64 = 0, fusion: Bool = LayerFusion.isEnabledByDefault,
                winograd: Bool? = nil, recordsGradients: Bool = true) {
        self.training = training
        randomness = LayerRandomness(seed: seed)
        self.fusion = fusion
        self.winograd = winograd ?? (!training && WinogradConvolution.isEnabledByDefault)
        self.recordsGradients = recordsGradients
    }

    public static var inference: ForwardContext { ForwardContext(training: false) }

    /// Whether ops of this pass record their backward: the context allows it and the thread's grad mode too.
    public var isRecordingGradients: Bool { recordsGradients && GradMode.isEnabled }

    /// Runs `body` under this context's gradient setting: without recording when it records none.
    /// `callAsFunction` applies it; layers that models call directly by a method of their own
    /// (`Conv2d.forward(_:normalizedBy:...)`) apply it too.
    public func applyingGradientSetting<R>(_ body: () -> R) -> R {
        guard !recordsGradients, GradMode.isEnabled else { return body() }
        return GradMode.withoutGradients(body)
    }
}

/// A layer or a model: named parameters, named buffers (state that is saved but not trained,
/// such as BatchNorm's running statistics) and named children.
///
/// Names join with "." into keys that match the source framework's checkpoints
/// ("features.0.0.weight"), so loading weights is a strict match of names and shapes.
open class Module {
    public private(set) var localParameters: [(name: String, tensor: Tensor)] = []
    public private(set) var localBuffers: [(name: String, tensor: Tensor)] = []
    public private(set) var children: [(name: String, module: Module)] = []

    public init() {}

    /// Subclasses run their computation here.
    open func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        preconditionFailure("\(type(of: self)) does not implement forward(_:context:)")
    }

    /// `forward`, with recording turned off for the whole call when the context records no gradients.
    public func callAsFunction(_ x: Tensor, context: ForwardContext) -> Tensor {
        context.applyingGradientSetting { forward(x, context: context) }
    }

    @discardableResult
    public func registerParameter(_ name: String, _ tensor: Tensor) -> Tensor {
        tensor.requiresGrad = true
        localParameters.append((name, tensor))
        return tensor
    }

    @discardableResult
    public func registerBuffer(_ name: String, _ tensor: Tensor) -> Tensor {
        tensor.requiresGrad = false
        localBuffers.append((name, tensor))
        return tensor
    }

    @discardableResult
    public func registerChild<M: Module>(_ name: String, _ module: M) -> M {
        children.append((name, module))
        return module
    }

    /// Every parameter of this module and its descendants, keyed by dotted path.
    public func namedParameters(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        localParameters.map { (prefix + $0.name, $0.tensor) }
            + children.flatMap { $0.module.namedParameters(prefix: prefix + $0.name + ".") }
    }

    /// Every buffer of this module and its descendants, keyed by dotted path.
    public func namedBuffers(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        localBuffers.map { (prefix + $0.name, $0.tensor) }
            + children.flatMap { $0.module.namedBuffers(prefix: prefix + $0.name + ".") }
    }

    /// Parameters and buffers: everything a checkpoint holds.
    public func stateTensors() -> [(name: String, tensor: Tensor)] {
        namedParameters() + namedBuffers()
    }

    public var parameters: [Tensor] { namedParameters().map(\.tensor) }

    /// Parameters that will receive gradients.
    public var trainableParameters: [Tensor] { parameters.filter(\.requiresGrad) }

    /// The descendant at a dotted path ("blocks.3"), or nil.
    public func child(at path: String) -> Module? {
        var module: Module = self
        for part in path.split(separator: ".") {
            guard let next = module.children.first(where: { $0.name == part })?.module else { return nil }
            module = next
        }
        return module
    }

    /// All descendants, depth first, with their paths.
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        [(prefix.isEmpty ? "" : String(prefix.dropLast()), self)]
            + children.flatMap { $0.module.namedModules(prefix: prefix + $0.name + ".") }
    }

    /// Stops gradients for every parameter (or those whose key starts with one of `prefixes`).
    public func freeze(_ prefixes: [String]? = nil) { setTrainable(false, prefixes) }

    /// Lets gradients flow again for every parameter (or those under `prefixes`).
    public func unfreeze(_ prefixes: [String]? = nil) { setTrainable(true, prefixes) }

    /// `freeze(_:)` that, with `strict`, first checks that every prefix names at least one
    /// parameter (mlx-swift's `freeze(keys:strict:)`): a misspelt layer name is an error instead of
    /// a layer that silently keeps training. On an error nothing changes.
    public func freeze(_ prefixes: [String], strict: Bool) throws {
        if strict { try checkPrefixesMatch(prefixes) }
        setTrainable(false, prefixes)
    }

    /// `unfreeze(_:)` that, with `strict`, first checks that every prefix names at least one parameter.
    public func unfreeze(_ prefixes: [String], strict: Bool) throws {
        if strict { try checkPrefixesMatch(prefixes) }
        setTrainable(true, prefixes)
    }

    private func checkPrefixesMatch(_ prefixes: [String]) throws {
        let names = namedParameters().map(\.name)
        let unmatched = prefixes.filter { prefix in !names.contains { matches($0, prefix) } }
        guard unmatched.isEmpty else { throw ModuleError.prefixesMatchNoParameter(unmatched, module: String(describing: type(of: self))) }
    }

    private func setTrainable(_ trainable: Bool, _ prefixes: [String]?) {
        for (name, tensor) in namedParameters() where prefixes?.contains(where: { matches(name, $0) }) ?? true {
            tensor.requiresGrad = trainable
            if !trainable { tensor.zeroGrad() }
        }
    }

    /// Counts in the manner of Keras' summary: trainable parameters, and frozen ones plus buffers.
    public var parameterCounts: (trainable: Int, nonTrainable: Int) {
        let params = namedParameters().map(\.tensor)
        let trainable = params.filter(\.requiresGrad).reduce(0) { $0 + $1.count }
        let frozen = params.filter { !$0.requiresGrad }.reduce(0) { $0 + $1.count }
        let buffers = namedBuffers().reduce(0) { $0 + $1.tensor.count }
        return (trainable, frozen + buffers)
    }

    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }
}

/// "blocks.1" matches "blocks.1.conv.weight" but not "blocks.10.conv.weight".
func matches(_ key: String, _ prefix: String) -> Bool {
    key == prefix || key.hasPrefix(prefix.hasSuffix(".") ? prefix : prefix + ".")
}
