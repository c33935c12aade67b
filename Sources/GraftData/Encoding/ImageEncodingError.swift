/// Why an image could not be written.
public struct ImageEncodingError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public var description: String { "\(file): cannot write the image (\(reason))" }
}
