/// Why a label file cannot be used. Every case names the file and, where one row is at fault,
/// its line (counted as an editor counts them, header included).
public enum LabelFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case notUTF8(file: String)
    case malformedCSV(file: String, line: Int, reason: String)
    case noRows(file: String)
    case missingColumn(file: String, column: String, header: [String])
    case tooFewColumns(file: String, header: [String])
    case wrongFieldCount(file: String, line: Int, fields: Int, header: Int)
    case emptyCell(file: String, line: Int, column: String, what: String)
    case unknownSplit(file: String, line: Int, value: String)
    case missingImage(file: String, line: Int, path: String, reason: String)
    case notARegularFile(file: String, line: Int, path: String, kind: String)
    case duplicate(file: String, line: Int, path: String, firstLine: Int)
    case labelWithoutTrainingImages(file: String, line: Int, label: String, split: String)
    case tooFewClasses(file: String, found: [String])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the label file (\(reason))"
        case .notUTF8(let file):
            return "\(file): the label file is not UTF-8 text"
        case .malformedCSV(let file, let line, let reason):
            return "\(file), line \(line): not valid CSV (\(reason))"
        case .noRows(let file):
            return "\(file): the label file has a header but no rows"
        case .missingColumn(let file, let column, let header):
            return "\(file): no column '\(column)'; the header has " + header.map { "'\($0)'" }.joined(separator: ", ")
        case .tooFewColumns(let file, let header):
            return "\(file): a label file needs a file column and a label column; the header has "
                + (header.isEmpty ? "none" : header.map { "'\($0)'" }.joined(separator: ", "))
        case .wrongFieldCount(let file, let line, let fields, let header):
            return "\(file), line \(line): \(fields) field\(fields == 1 ? "" : "s"), but the header has \(header)"
        case .emptyCell(let file, let line, let column, let what):
            return "\(file), line \(line): no \(what) in column '\(column)'"
        case .unknownSplit(let file, let line, let value):
            return "\(file), line \(line): unknown split '\(value)'; use train, validation (or valid, val) or test"
        case .missingImage(let file, let line, let path, let reason):
            return "\(file), line \(line): \(path): \(reason)"
        case .notARegularFile(let file, let line, let path, let kind):
            return "\(file), line \(line): \(path) is not a regular file but \(kind)"
        case .duplicate(let file, let line, let path, let firstLine):
            return "\(file), line \(line): \(path) is already listed on line \(firstLine) (each image once)"
        case .labelWithoutTrainingImages(let file, let line, let label, let split):
            return "\(file), line \(line): label '\(label)' of a \(split) row has no training rows"
        case .tooFewClasses(let file, let found):
            return "\(file): a classifier needs at least two classes in the training rows, found \(found.count)"
                + (found.isEmpty ? "" : " (\(found.joined(separator: ", ")))")
        }
    }
}
