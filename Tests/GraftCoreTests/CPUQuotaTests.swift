import Foundation
import GraftCore
import XCTest

/// The cgroup CPU quota read from made-up `/proc/self/cgroup` files and cgroup trees, both
/// versions: the smallest quota on the way to the root wins, "max" and -1 mean none, rounded up.
final class CPUQuotaTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("graft-cgroup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func write(_ text: String, _ path: String) throws {
        let file = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    private func quota(_ membership: String) throws -> Int? {
        try write(membership, "proc-cgroup")
        return CPUQuota.read(cgroupFile: root.appendingPathComponent("proc-cgroup").path, mountRoot: root.appendingPathComponent("fs").path)
    }

    func testVersion2TakesTheSmallestQuotaOnThePathRoundedUp() throws {
        try write("max 100000\n", "fs/cpu.max")
        try write("150000 100000\n", "fs/kubepods/cpu.max")
        try write("max 100000\n", "fs/kubepods/pod1/cpu.max")
        XCTAssertEqual(try quota("0::/kubepods/pod1\n"), 2, "1.5 CPUs of the parent group round up to 2")
        try write("50000 100000\n", "fs/kubepods/pod1/cpu.max")
        XCTAssertEqual(try quota("0::/kubepods/pod1\n"), 1)
    }

    func testVersion2UnderUnifiedOfAHybridMount() throws {
        try write("300000 100000\n", "fs/unified/user.slice/cpu.max")
        XCTAssertEqual(try quota("1:name=systemd:/user.slice\n0::/user.slice\n"), 3)
    }

    func testVersion1CpuController() throws {
        try write("250000\n", "fs/cpu,cpuacct/docker/abc/cpu.cfs_quota_us")
        try write("100000\n", "fs/cpu,cpuacct/docker/abc/cpu.cfs_period_us")
        XCTAssertEqual(try quota("5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n"), 3)
        try write("-1\n", "fs/cpu,cpuacct/docker/abc/cpu.cfs_quota_us")
        XCTAssertNil(try quota("4:cpu,cpuacct:/docker/abc\n"), "-1 is no limit")
    }

    /// A container's own group mounted as the root: its path in the host's tree is not there.
    func testContainerWhoseGroupIsTheMountRoot() throws {
        try write("100000\n", "fs/cpu/cpu.cfs_quota_us")
        try write("100000\n", "fs/cpu/cpu.cfs_period_us")
        XCTAssertEqual(try quota("3:cpu:/docker/0123abcd\n"), 1)
    }

    func testNoQuotaUnreadableOrMalformed() throws {
        try write("max 100000\n", "fs/cpu.max")
        XCTAssertNil(try quota("0::/\n"))
        try write("lots of cpu\n", "fs/cpu.max")
        XCTAssertNil(try quota("0::/\n"))
        XCTAssertNil(try quota("garbage without fields\n"))
        XCTAssertNil(CPUQuota.read(cgroupFile: root.appendingPathComponent("absent").path, mountRoot: root.path))
    }
}
