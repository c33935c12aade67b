import Foundation
import GraftData

extension WorkerGroup {
    /// The data of a data-parallel job, found once: worker 0 runs `scan` (walking the folder and
    /// verifying its images) and sends what it found to the others, so that every worker trains
    /// and scores on the very same file list. Each worker then checks it can see every listed
    /// file; if any cannot, all of them throw `TrainingError.workersMissFiles`, naming the
    /// workers and a missing file of each. When `scan` fails on worker 0, it rethrows there and
    /// the others throw `TrainingError.leaderCouldNotReadData`.
    public func scanOnce(_ scan: () throws -> any DatasetSplits) throws -> any DatasetSplits {
        guard size > 1 else { return try scan() }
        let snapshot: DatasetSnapshot
        if isLeader {
            let scanned: DatasetSnapshot
            do {
                scanned = DatasetSnapshot(of: try scan())
            } catch {
                _ = try broadcast([])
                throw error
            }
            _ = try broadcast(Array(try JSONEncoder().encode(scanned)))
            snapshot = scanned
        } else {
            let bytes = try broadcast([])
            guard !bytes.isEmpty else { throw TrainingError.leaderCouldNotReadData(size: size) }
            snapshot = try JSONDecoder().decode(DatasetSnapshot.self, from: Data(bytes))
        }
        try checkEveryWorkerSees(snapshot)
        return snapshot
    }

    private func checkEveryWorkerSees(_ snapshot: DatasetSnapshot) throws {
        let missing = snapshot.missingFiles()
        let counts = try gather([Float(missing.count)])
        guard counts.contains(where: { $0 > 0 }) else { return }
        let firsts = try gatherText(missing.first?.path ?? "")
        let listed = [snapshot.train, snapshot.validation, snapshot.test].compactMap { $0?.count }.reduce(0, +)
        throw TrainingError.workersMissFiles(listed: listed, size: size, missing: counts.enumerated().compactMap { rank, count in
            count > 0 ? (rank, Int(count), firsts[rank]) : nil
        })
    }

    /// Every worker's `text`, in rank order (as bytes in floats, which hold 0...255 exactly).
    private func gatherText(_ text: String) throws -> [String] {
        let bytes = Array(text.utf8)
        let lengths = try gather([Float(bytes.count)]).map { Int($0) }
        var all = try gather(bytes.map(Float.init))[...]
        return lengths.map { length in
            defer { all = all.dropFirst(length) }
            return String(decoding: all.prefix(length).map { UInt8($0) }, as: UTF8.self)
        }
    }
}
