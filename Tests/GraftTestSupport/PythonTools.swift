import Foundation
import XCTest

/// The Python interpreter of the test tools' venv (`.cache/venv`, made by `make test` from
/// `Tests/python-requirements.txt`), for tests that check Graft against third-party software
/// (ONNX Runtime, tritonclient, a browser through Selenium). `GRAFT_TEST_PYTHON` names another.
public enum PythonTools {
    /// The repository's root, found from this file's place in it.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var interpreter: URL? {
        if let named = ProcessInfo.processInfo.environment["GRAFT_TEST_PYTHON"], !named.isEmpty {
            return URL(fileURLWithPath: named)
        }
        let venv = repositoryRoot.appendingPathComponent(".cache/venv/bin/python")
        return FileManager.default.isExecutableFile(atPath: venv.path) ? venv : nil
    }

    /// The interpreter, once `modules` import in it; otherwise the test is skipped with the reason.
    public static func require(_ modules: [String], file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        guard let python = interpreter else {
            throw XCTSkip("no Python test tools: .cache/venv is missing (make test creates it from Tests/python-requirements.txt)", file: file, line: line)
        }
        let check = try run(python, ["-c", modules.map { "import \($0)" }.joined(separator: "; ")])
        guard check.status == 0 else {
            throw XCTSkip("the Python test tools lack \(modules.joined(separator: ", ")): \(check.output.suffix(300))", file: file, line: line)
        }
        return python
    }

    public struct Output {
        public let status: Int32
        public let output: String
    }

    /// Runs `python arguments`, stdout and stderr together, through a file so a chatty script cannot block.
    public static func run(_ python: URL, _ arguments: [String], environment extra: [String: String] = [:]) throws -> Output {
        let (process, log) = try LoggedProcess.start(python, arguments,
                                                     environment: ProcessInfo.processInfo.environment.merging(extra) { $1 })
        let ended = LoggedProcess.finish(process, log: log)
        return Output(status: ended.status, output: ended.output)
    }
}
