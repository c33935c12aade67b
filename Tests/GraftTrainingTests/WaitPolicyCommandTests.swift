import Foundation
import XCTest

/// graft gives libgomp its brief-spin default unless the user chose a wait policy, and the OpenMP runtime really
/// runs with it: libgomp's own account of what it read (`OMP_DISPLAY_ENV=verbose`, printed each
/// time the runtime is loaded) is the judge, not graft's.
final class WaitPolicyCommandTests: XCTestCase {
    /// The spin counts libgomp printed, in order (one per time it was loaded), and graft info's line.
    private func spinCounts(environment: [String: String]) throws -> (counts: [String], info: String) {
        let graft = try GraftCommandLine(for: Self.self)
        let unset = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "GRAFT_OMP_WAIT_POLICY_DEFAULT"].filter { environment[$0] == nil }
        let outcome = try graft.run(["info"], environment: environment.merging(["OMP_DISPLAY_ENV": "verbose"]) { $1 },
                                    unset: unset)
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let counts = outcome.standardError.split(separator: "\n")
            .filter { $0.contains("GOMP_SPINCOUNT = ") }
            .map { $0.split(separator: "'").dropFirst().first.map(String.init) ?? String($0) }
        let info = outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix("OpenMP wait") }.map(String.init) ?? ""
        return (counts, info)
    }

    func testWithoutAChoiceTheRuntimeSpinsBriefly() throws {
        let (counts, info) = try spinCounts(environment: [:])
        XCTAssertEqual(counts.last, "1000", "what the restarted process's runtime read (\(counts))")
        XCTAssertEqual(counts.count, 2, "one restart, no more: \(counts)")
        XCTAssertTrue(info.contains("GOMP_SPINCOUNT=1000 (Graft's default"), info)
    }

    func testTheUsersChoiceWins() throws {
        let passive = try spinCounts(environment: ["OMP_WAIT_POLICY": "passive"])
        XCTAssertEqual(passive.counts, ["0"], "no restart when the user chose, and the user's policy")
        XCTAssertTrue(passive.info.contains("OMP_WAIT_POLICY=passive (the environment's)"), passive.info)

        let spin = try spinCounts(environment: ["GOMP_SPINCOUNT": "5000"])
        XCTAssertEqual(spin.counts, ["5000"])
        XCTAssertTrue(spin.info.contains("GOMP_SPINCOUNT=5000"), spin.info)
    }
}
