import Foundation

extension ImageDecoder {
    /// Hands `body` the files' images a batch at a time (each batch decoded on all cores), so a
    /// folder of any size is never held decoded at once. `body` returns one result per image it is
    /// given. A file that cannot be decoded gets its error in its place, and the others go on.
    public static func mapBatches<T>(of files: [URL], batchSize: Int = 16, options: DecodingOptions = DecodingOptions(),
                                     _ body: ([RGBImage]) throws -> [T]) rethrows -> [Result<T, ImageDecodingError>] {
        precondition(batchSize > 0, "batchSize must be at least 1, not \(batchSize)")
        var results: [Result<T, ImageDecodingError>] = []
        results.reserveCapacity(files.count)
        for start in stride(from: 0, to: files.count, by: batchSize) {
            let chunk = Array(files[start..<min(start + batchSize, files.count)])
            var decoded = [Result<RGBImage, ImageDecodingError>?](repeating: nil, count: chunk.count)
            decoded.withUnsafeMutableBufferPointer { slots in
                let slots = SendableBuffer(slots)
                DispatchQueue.concurrentPerform(iterations: chunk.count) { i in
                    do {
                        slots.buffer[i] = .success(try decode(contentsOf: chunk[i], options: options))
                    } catch let error as ImageDecodingError {
                        slots.buffer[i] = .failure(error)
                    } catch {
                        slots.buffer[i] = .failure(.unreadable(file: chunk[i].path, reason: "\(error)"))
                    }
                }
            }
            let images = decoded.compactMap { try? $0!.get() }
            let outputs = try images.isEmpty ? [] : body(images)
            precondition(outputs.count == images.count, "mapBatches: \(outputs.count) results for \(images.count) images")
            var next = outputs.makeIterator()
            for result in decoded {
                switch result! {
                case .success: results.append(.success(next.next()!))
                case .failure(let error): results.append(.failure(error))
                }
            }
        }
        return results
    }
}
