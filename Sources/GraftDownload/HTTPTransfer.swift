import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET through Foundation's URLSession whose body is appended to a partial file as it
/// arrives, asking for the bytes after the ones the file holds (`Range: bytes=N-`).
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome {
        /// The body arrived whole; the file now holds `total` bytes when the size was given.
        case finished
        /// The server answered 200 or 206 but the transfer broke after `received` bytes.
        case broken(any Error)
        /// No response arrived at all.
        case noConnection(any Error)
        /// A status other than 200, or 206 from the requested offset.
        case status(Int)
        /// 206 for another range than the one asked for.
        case wrongRange
    }

    private let partial: PartialFile
    private let offset: Int64
    private let onData: @Sendable (_ received: Int64, _ total: Int64?) -> Void
    private let done = DispatchSemaphore(value: 0)
    // Touched only on the session's serial delegate queue until `done` is signalled.
    private var outcome: Outcome?
    private var responded = false
    /// Whether the body goes into the partial file (not after a refused response).
    private var accepting = false
    private(set) var received: Int64 = 0
    private(set) var total: Int64?
    /// The server sent the whole file although bytes after `offset` were asked for: the partial
    /// file was emptied and holds the file from its first byte.
    private(set) var startedOver = false
    private var writeFailure: (any Error)?

    private init(partial: PartialFile, offset: Int64, onData: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.partial = partial
        self.offset = offset
        self.onData = onData
    }

    /// Requests `url` from the partial file's current size and waits for the transfer to end.
    /// A write failure on the partial file is thrown; everything the network does is the outcome.
    static func run(_ url: URL, into partial: PartialFile, idleTimeout: TimeInterval,
                    onData: @escaping @Sendable (_ received: Int64, _ total: Int64?) -> Void) throws -> (HTTPTransfer, Outcome) {
        let transfer = HTTPTransfer(partial: partial, offset: partial.size, onData: onData)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        var request = URLRequest(url: url)
        if transfer.offset > 0 { request.setValue("bytes=\(transfer.offset)-", forHTTPHeaderField: "Range") }
        // The bytes as stored: a compressed transfer would make ranges and sizes mean something else.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        session.dataTask(with: request).resume()
        transfer.done.wait()
        session.finishTasksAndInvalidate()
        if let failure = transfer.writeFailure { throw failure }
        return (transfer, transfer.outcome ?? .finished)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @Sendable @escaping (URLSession.ResponseDisposition) -> Void) {
        responded = true
        let http = response as? HTTPURLResponse
        let code = http?.statusCode ?? 0
        let length = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        switch code {
        case 206:
            guard let range = http.flatMap(ContentRange.init), range.first == offset, partial.size == offset else {
                return refuse(.wrongRange, dataTask, completionHandler)
            }
            total = range.total ?? length.map { offset + $0 }
        case 200:
            // The whole file, from its first byte: a server that ignores Range starts over.
            do { try partial.truncate() } catch {
                writeFailure = error
                return refuse(nil, dataTask, completionHandler)
            }
            startedOver = offset > 0
            total = length
        default:
            return refuse(.status(code), dataTask, completionHandler)
        }
        accepting = true
        onData(0, total)
        completionHandler(.allow)
    }

    /// Ends the transfer without keeping its body. Foundation on Linux ignores the disposition
    /// (its documented bug), so the task is cancelled here and later bytes are dropped.
    private func refuse(_ result: Outcome?, _ task: URLSessionDataTask,
                        _ completionHandler: @Sendable @escaping (URLSession.ResponseDisposition) -> Void) {
        if let result { outcome = result }
        completionHandler(.cancel)
        task.cancel()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard accepting, writeFailure == nil else { return }
        do {
            try partial.append(data)
            received += Int64(data.count)
            onData(received, total)
        } catch {
            writeFailure = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if outcome == nil, writeFailure == nil {
            if let error {
                outcome = responded ? .broken(error) : .noConnection(error)
            } else if let total, partial.size != total {
                outcome = .broken(URLError(.networkConnectionLost))
            } else {
                outcome = .finished
            }
        }
        done.signal()
    }
}

/// `Content-Range: bytes FIRST-LAST/TOTAL` (TOTAL may be `*`).
struct ContentRange: Equatable {
    let first: Int64
    let last: Int64
    let total: Int64?

    init?(_ response: HTTPURLResponse) {
        guard let value = response.allHeaderFields.first(where: { "\($0.key)".lowercased() == "content-range" })?.value else { return nil }
        self.init("\(value)")
    }

    init?(_ header: String) {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bytes" else { return nil }
        let rangeAndTotal = parts[1].split(separator: "/", maxSplits: 1)
        let bounds = rangeAndTotal[0].split(separator: "-", maxSplits: 1)
        guard rangeAndTotal.count == 2, bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first <= last else {
            return nil
        }
        self.first = first
        self.last = last
        total = rangeAndTotal[1] == "*" ? nil : Int64(rangeAndTotal[1])
    }
}
