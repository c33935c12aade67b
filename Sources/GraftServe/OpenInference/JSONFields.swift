import Foundation

/// A JSON object read field by field, each error naming the field by its path
/// (`inputs[0].shape`), for requests whose fields are checked one at a time.
struct JSONFields {
    let path: String
    private let object: [String: Any]

    init(_ value: Any, path: String) throws {
        guard let object = value as? [String: Any] else { throw ServeError.badRequest("\(path) must be a JSON object") }
        self.object = object
        self.path = path
    }

    /// The top-level object of `data`.
    static func object(_ data: Data, what: String) throws -> JSONFields {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw ServeError.badRequest("\(what) is not valid JSON: \(Self.reason(error))")
        }
        guard value is [String: Any] else { throw ServeError.badRequest("\(what) must be a JSON object") }
        return try JSONFields(value, path: "")
    }

    func error(_ key: String, _ problem: String) -> ServeError {
        .badRequest("\(name(key)) \(problem)")
    }

    func string(_ key: String) throws -> String {
        guard let value = try optionalString(key) else { throw error(key, "is missing") }
        return value
    }

    func optionalString(_ key: String) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let string = value as? String else { throw error(key, "must be a string") }
        return string
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let flag = value as? Bool, isBoolean(value) else { throw error(key, "must be true or false") }
        return flag
    }

    func optionalInteger(_ key: String) throws -> Int? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let integer = integer(value) else { throw error(key, "must be an integer") }
        return integer
    }

    func object(_ key: String) throws -> JSONFields? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        return try JSONFields(value, path: name(key))
    }

    func array(_ key: String) throws -> [Any]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let array = value as? [Any] else { throw error(key, "must be an array") }
        return array
    }

    func integers(_ key: String) throws -> [Int] {
        guard let list = try array(key) else { throw error(key, "is missing") }
        return try list.map { value in
            guard let integer = integer(value) else { throw error(key, "must be an array of integers") }
            return integer
        }
    }

    /// Numbers given flat or nested (the protocol allows both), row-major, as `Float`.
    func flatNumbers(_ key: String, expected count: Int) throws -> [Float] {
        guard let list = try array(key) else { throw error(key, "is missing (or give the tensor as binary data)") }
        var values: [Float] = []
        values.reserveCapacity(count)
        func walk(_ value: Any) throws {
            if let nested = value as? [Any] {
                for element in nested { try walk(element) }
            } else if let number = value as? NSNumber, !isBoolean(number) {
                let float = number.floatValue
                guard float.isFinite else { throw error(key, "holds a value that is not a finite FP32 number: \(number)") }
                values.append(float)
            } else {
                throw error(key, "must hold only numbers, not \(Self.kind(of: value))")
            }
        }
        try walk(list)
        guard values.count == count else { throw error(key, "holds \(values.count) numbers, but the shape says \(count)") }
        return values
    }

    /// BYTES elements sent in JSON: strings, base64 for binary content such as image files.
    func base64Strings(_ key: String, expected count: Int) throws -> [Data] {
        guard let list = try array(key) else { throw error(key, "is missing (or give the tensor as binary data)") }
        var elements: [Data] = []
        func walk(_ value: Any) throws {
            if let nested = value as? [Any] {
                for element in nested { try walk(element) }
            } else if let string = value as? String {
                guard let data = Data(base64Encoded: string, options: .ignoreUnknownCharacters) else {
                    throw error(key, "element \(elements.count) is not base64; image files sent as JSON strings must be base64")
                }
                elements.append(data)
            } else {
                throw error(key, "must hold only strings, not \(Self.kind(of: value))")
            }
        }
        try walk(list)
        guard elements.count == count else { throw error(key, "holds \(elements.count) elements, but the shape says \(count)") }
        return elements
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
        let double = number.doubleValue
        guard double == double.rounded(), abs(double) < 1e15 else { return nil }
        return Int(double)
    }

    /// JSONSerialization gives true and false as NSNumbers too, of type "c" (a JSON number is
    /// never one); they are not numbers here, and numbers are not booleans.
    private func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    private static func kind(of value: Any) -> String {
        switch value {
        case is String: return "a string"
        case is [String: Any]: return "an object"
        case is NSNull: return "null"
        default: return "\(type(of: value))"
        }
    }

    private static func reason(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
