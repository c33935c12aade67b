import CGraftKernels
import XCTest

/// graft_parallel_for, which runs Graft's kernels on oneDNN's OpenMP threads.
final class ParallelForTests: XCTestCase {
    /// Every index runs exactly once, for counts below, at and above the number of threads.
    func testEveryIndexRunsOnce() {
        for count in [0, 1, 2, 3, 17, 1000] {
            var visits = [Int32](repeating: 0, count: max(count, 1))
            visits.withUnsafeMutableBufferPointer { buffer in
                graft_parallel_for(Int32(count), { context, index in
                    // Each index is its own element: no two threads write the same one.
                    context!.assumingMemoryBound(to: Int32.self)[Int(index)] += 1
                }, buffer.baseAddress)
            }
            XCTAssertEqual(Array(visits.prefix(count)), [Int32](repeating: 1, count: count), "count \(count)")
        }
    }
}
