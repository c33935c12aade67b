import Foundation
import Hummingbird
import MultipartKit

/// The files of a `multipart/form-data` body (what `curl -F file=@cat.jpg` and a browser's
/// form send): every part that carries a file name, in order. Parsing is MultipartKit's.
enum MultipartFiles {
    static func files(in body: Data, contentType: String) throws -> [(name: String, bytes: Data)] {
        guard let boundary = parameter("boundary", in: contentType) else {
            throw ServeError.badRequest("the multipart/form-data Content-Type names no boundary")
        }
        var parts: [(headers: [String: String], body: Data)] = []
        var headers: [String: String] = [:]
        var content = Data()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in content.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = {
            parts.append((headers, content))
            headers = [:]
            content = Data()
        }
        do {
            try parser.execute(ByteBuffer(bytes: body))
        } catch {
            let found = parts.isEmpty ? "the form holds no files: " : ""
            throw ServeError.badRequest("\(found)the multipart/form-data body cannot be read with boundary '\(boundary)' (\(error))")
        }
        let files = parts.compactMap { part -> (name: String, bytes: Data)? in
            guard let disposition = part.headers["content-disposition"],
                  let fileName = parameter("filename", in: disposition) else { return nil }
            return (fileName.isEmpty ? "upload" : fileName, part.body)
        }
        guard !files.isEmpty else {
            throw ServeError.badRequest("the form holds no files: send each image as a file field (curl -F file=@photo.jpg)")
        }
        return files
    }

    /// The value of `name=value` or `name="value"` in a header such as Content-Type.
    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var value = pair[1]
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
