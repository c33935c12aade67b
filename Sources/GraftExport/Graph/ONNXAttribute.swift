import Foundation

/// Typed constructors for node attributes, so the lowering reads `.ints("pads", [...])`.
extension ONNXAttributeProto {
    static func int(_ name: String, _ value: Int) -> ONNXAttributeProto { named(name, .int) { $0.i = Int64(value) } }

    static func ints(_ name: String, _ values: [Int]) -> ONNXAttributeProto { named(name, .ints) { $0.ints = values.map(Int64.init) } }

    static func float(_ name: String, _ value: Float) -> ONNXAttributeProto { named(name, .float) { $0.f = value } }

    static func tensor(_ name: String, _ value: ONNXTensorProto) -> ONNXAttributeProto { named(name, .tensor) { $0.t = value } }

    /// An attribute with its name and its type, which says the field `set` fills.
    private static func named(_ name: String, _ type: AttributeType, _ set: (inout ONNXAttributeProto) -> Void) -> ONNXAttributeProto {
        var attribute = ONNXAttributeProto()
        attribute.name = name
        attribute.type = type
        set(&attribute)
        return attribute
    }
}

extension ONNXNodeProto {
    /// The attribute called `name`, if the node has one.
    func attribute(_ name: String) -> ONNXAttributeProto? { attribute.first { $0.name == name } }

    func intAttribute(_ name: String, default fallback: Int) -> Int {
        attribute(name).map { Int($0.i) } ?? fallback
    }

    func intsAttribute(_ name: String) -> [Int]? { attribute(name).map { $0.ints.map { Int($0) } } }
}
