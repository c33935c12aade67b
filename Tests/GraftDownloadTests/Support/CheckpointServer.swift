import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import XCTest

/// A real HTTP server on an ephemeral loopback port, in the test process, that serves files from
/// memory the way download.pytorch.org does: with Content-Length, and byte ranges answered with
/// 206 and Content-Range. Each file can misbehave on purpose (close the connection after some
/// bytes, ignore Range, answer a status), and every request is logged.
final class CheckpointServer: @unchecked Sendable {
    struct File: Sendable {
        var data: Data
        /// Answer 200 with the whole file even when a range is asked for.
        var ignoresRange = false
        /// For the first requests, one entry each: close the connection after this many body bytes.
        var breakAfter: [Int] = []
        /// Answer this status (no body) instead of the file.
        var status: HTTPResponse.Status?
    }

    struct Logged: Sendable, Equatable {
        let path: String
        /// The Range header, nil when there was none.
        let range: String?
        /// The host the client asked for (through a proxy: the origin's, not this server's).
        let authority: String?
        var status: Int
        /// Body bytes this server wrote before the response ended (or broke).
        var bytesSent: Int
    }

    private let lock = NSLock()
    private var files: [String: File]
    private var log: [Logged] = []
    private var task: Task<Void, any Error>?
    private(set) var port = 0

    /// Serves `files` by their path ("/models/resnet50-0676ba61.pth").
    init(_ files: [String: File]) throws {
        self.files = files
        let listening = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var bound = 0
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { [unowned self] request, _ in try await self.respond(to: request) },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "graft-test"),
            onServerRunning: { channel in
                bound = channel.localAddress?.port ?? 0
                listening.signal()
            },
            logger: Self.quietLogger)
        task = Task { try await application.runService(gracefulShutdownSignals: []) }
        guard listening.wait(timeout: .now() + 60) == .success, bound > 0 else {
            task?.cancel()
            throw XCTSkip("the test server did not start listening on loopback within 60 s")
        }
        port = bound
    }

    deinit { stop() }

    /// The connections this server breaks on purpose would otherwise be logged as errors.
    private static let quietLogger: Logger = {
        var logger = Logger(label: "graft-test-server")
        logger.logLevel = .critical
        return logger
    }()

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    var requests: [Logged] { lock.withLock { log } }

    func stop() {
        guard let task else { return }
        self.task = nil
        task.cancel()
        let done = DispatchSemaphore(value: 0)
        Task {
            _ = await task.result
            done.signal()
        }
        _ = done.wait(timeout: .now() + 30)
    }

    private func respond(to request: Request) async throws -> Response {
        // A proxied request names the origin in an absolute URI: match on the path alone.
        let path = request.uri.path
        let range = request.headers[.range]
        let authority = request.head.authority
        let (file, cut, index) = lock.withLock { () -> (File?, Int?, Int) in
            let file = files[path]
            var cut: Int?
            if var changed = file, !changed.breakAfter.isEmpty {
                cut = changed.breakAfter.removeFirst()
                files[path] = changed
            }
            log.append(Logged(path: path, range: range, authority: authority, status: 0, bytesSent: 0))
            return (file, cut, log.count - 1)
        }
        guard let file else { return answer(index, Response(status: .notFound)) }
        if let status = file.status { return answer(index, Response(status: status)) }

        var status = HTTPResponse.Status.ok
        var headers: HTTPFields = [.acceptRanges: "bytes", .contentType: "application/octet-stream"]
        var body = file.data
        if let range, !file.ignoresRange, let first = Self.firstByte(of: range) {
            guard first < file.data.count else {
                headers[.contentRange] = "bytes */\(file.data.count)"
                return answer(index, Response(status: .rangeNotSatisfiable, headers: headers))
            }
            status = .partialContent
            headers[.contentRange] = "bytes \(first)-\(file.data.count - 1)/\(file.data.count)"
            body = file.data.subdata(in: first..<file.data.count)
        }
        let send = body
        return answer(index, Response(status: status, headers: headers, body: ResponseBody(contentLength: send.count) { [self] writer in
            let limit = min(cut ?? send.count, send.count)
            var offset = 0
            while offset < limit {
                let end = min(offset + 16_384, limit)
                try await writer.write(ByteBuffer(bytes: send[offset..<end]))
                offset = end
                lock.withLock { log[index].bytesSent = offset }
            }
            if limit < send.count {
                // Let the bytes so far leave before the connection drops, as a real break would.
                try await Task.sleep(nanoseconds: 200_000_000)
                throw CancellationError()
            }
            try await writer.finish(nil)
        }))
    }

    /// Logs the response's status and returns it.
    private func answer(_ index: Int, _ response: Response) -> Response {
        lock.withLock { log[index].status = Int(response.status.code) }
        return response
    }

    /// N of `bytes=N-` (the only form Graft sends).
    private static func firstByte(of range: String) -> Int? {
        guard range.hasPrefix("bytes="), range.hasSuffix("-") else { return nil }
        return Int(range.dropFirst(6).dropLast())
    }
}

/// A loopback port with nothing listening on it: bound, then closed again.
func closedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw XCTSkip("no socket") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw XCTSkip("could not bind a loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
