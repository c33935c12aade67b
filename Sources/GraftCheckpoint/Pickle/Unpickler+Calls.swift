/// REDUCE, NEWOBJ and BUILD: the opcodes that would run code in Python. Here they only
/// interpret the allow-listed globals; anything else on the stack is refused.
extension Unpickler {
    func call(_ callable: PickleValue, arguments: PickleValue) throws -> PickleValue {
        guard case .global(let global) = callable else { throw fail("REDUCE on \(callable.kind), which is not callable") }
        guard case .tuple(let tuple) = arguments else {
            throw fail("arguments of \(global.qualifiedName) must be a tuple, not \(arguments.kind)")
        }
        let arguments = tuple.items
        switch global {
        case .orderedDict:
            return try makeOrderedDict(arguments)
        case .rebuildTensor, .rebuildTensorV2:
            // v1: (storage, offset, size, stride); v2 adds requires_grad, backward_hooks and maybe
            // metadata, none of which matter for weights.
            let minimum = global == .rebuildTensor ? 4 : 6
            guard arguments.count >= minimum, arguments.count <= 7 else {
                throw fail("\(global.qualifiedName) takes \(minimum) to 7 arguments, not \(arguments.count)")
            }
            guard case .storage(let storage) = arguments[0] else {
                throw fail("\(global.qualifiedName) needs a storage, not \(arguments[0].kind)")
            }
            return .tensor(try TensorReference(storage: storage,
                                               offset: try arguments[1].nonNegativeInteger("storage offset"),
                                               shape: try arguments[2].integerTuple("size"),
                                               strides: try arguments[3].integerTuple("stride")))
        case .rebuildParameter, .rebuildParameterWithState:
            // (data, requires_grad, backward_hooks[, state]): for loading weights a parameter is its tensor.
            guard (3...4).contains(arguments.count), case .tensor = arguments[0] else {
                throw fail("\(global.qualifiedName) needs a tensor and 2 or 3 more arguments")
            }
            return arguments[0]
        case .storageType:
            throw fail("\(global.qualifiedName) cannot be called")
        }
    }

    /// `OrderedDict()` or `OrderedDict(pairs)`.
    private func makeOrderedDict(_ arguments: [PickleValue]) throws -> PickleValue {
        let dictionary = makeDictionary()
        guard let source = arguments.first else { return .dict(dictionary) }
        guard arguments.count == 1, let pairs = source.sequenceItems else {
            throw fail("OrderedDict takes one list of pairs")
        }
        for pair in pairs {
            guard let items = pair.sequenceItems, items.count == 2, dictionary.set(items[1], for: items[0]) else {
                throw fail("OrderedDict needs (hashable key, value) pairs")
            }
        }
        return .dict(dictionary)
    }

    /// NEWOBJ: `cls.__new__(cls, *args)`, which for OrderedDict is an empty dict.
    func instantiate(_ type: PickleValue, arguments: PickleValue) throws -> PickleValue {
        guard case .global(.orderedDict) = type else { throw fail("NEWOBJ on \(type.kind)") }
        guard case .tuple = arguments else { throw fail("NEWOBJ arguments must be a tuple") }
        return .dict(makeDictionary())
    }

    /// BUILD sets an object's attributes. A state dict carries `_metadata` (module versions) this
    /// way; tensors may carry Python attributes. Neither matters for weights, so the state is
    /// dropped; nothing else may be built.
    func build(_ target: PickleValue, state: PickleValue) throws {
        switch target {
        case .dict, .tensor: return
        default: throw fail("BUILD on \(target.kind)")
        }
    }
}
