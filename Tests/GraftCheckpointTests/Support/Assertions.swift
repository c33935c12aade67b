import GraftCheckpoint
import XCTest

/// Runs `body`, which must throw a `CheckpointError` whose message contains every fragment.
@discardableResult
func assertCheckpointError<T>(_ body: @autoclosure () throws -> T, naming fragments: [String] = [],
                              file: StaticString = #filePath, line: UInt = #line) -> CheckpointError? {
    do {
        _ = try body()
        XCTFail("no error thrown; expected one naming \(fragments)", file: file, line: line)
        return nil
    } catch let error as CheckpointError {
        for fragment in fragments {
            XCTAssert(error.description.contains(fragment), "'\(error)' does not name '\(fragment)'", file: file, line: line)
        }
        XCTAssertEqual(error.localizedDescription, error.description, file: file, line: line)
        return error
    } catch {
        XCTFail("threw \(type(of: error)) \(error), not a CheckpointError", file: file, line: line)
        return nil
    }
}

/// Exact bit equality, so NaN payloads and signed zeros count.
func assertSameBits(_ actual: [Float], _ expected: [Float], _ message: String = "",
                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.map(\.bitPattern), expected.map(\.bitPattern), message, file: file, line: line)
}
