import CMPI
import Foundation
import GraftOptim
import GraftTraining

/// The MPI job this process is part of (started by Open MPI's `mpirun`, on one machine or many):
/// its rank and size, the collectives Graft needs, and the way out. Every process of the job
/// must make the same collective calls in the same order; all of them come from the thread
/// that joined (MPI_THREAD_FUNNELED), the training thread.
public final class MPIWorld: WorkerGroup {
    public let rank: Int
    public let size: Int
    /// This process's index among the job's processes on the same machine, and their number:
    /// what the cores of the machine are shared by.
    public let localRank: Int
    public let localSize: Int
    /// Time spent in collectives and bytes moved, for benchmarks and the run's notes.
    public internal(set) var statistics = CommunicationStatistics()
    public private(set) lazy var gradientSynchronizer: any GradientSynchronizer = BucketedGradientAllreduce(world: self)
    let communicator: MPI_Comm
    /// For synchronized BatchNorm's sums, which run while gradient allreduces are in flight.
    let statisticsCommunicator: MPI_Comm
    private var finalized = false

    /// Joins the job (MPI_Init_thread). MPI allows it once per process, and a process must
    /// `finalize()` (or `abort`) before it exits.
    public init() throws {
        var provided: Int32 = 0
        try check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided), "MPI_Init_thread")
        communicator = graft_mpi_comm_world()
        try check(graft_mpi_errors_return(), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try check(MPI_Comm_rank(communicator, &rank), "MPI_Comm_rank")
        try check(MPI_Comm_size(communicator, &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
        var statisticsCommunicator: MPI_Comm?
        try check(MPI_Comm_dup(communicator, &statisticsCommunicator), "MPI_Comm_dup")
        self.statisticsCommunicator = statisticsCommunicator!
        var local: MPI_Comm?
        try check(MPI_Comm_split_type(communicator, Int32(MPI_COMM_TYPE_SHARED), rank, graft_mpi_info_null(), &local),
                  "MPI_Comm_split_type")
        var localRank: Int32 = 0, localSize: Int32 = 0
        try check(MPI_Comm_rank(local, &localRank), "MPI_Comm_rank")
        try check(MPI_Comm_size(local, &localSize), "MPI_Comm_size")
        MPI_Comm_free(&local)
        self.localRank = Int(localRank)
        self.localSize = Int(localSize)
    }

    /// Whether this process was started by `mpirun` (Open MPI's environment, or PMIx's).
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// Leaves the job after every process has reached this point (MPI_Finalize).
    public func finalize() throws {
        guard !finalized else { return }
        finalized = true
        try check(MPI_Finalize(), "MPI_Finalize")
    }

    /// Ends every process of the job with `code` (MPI_Abort): what a failure on one process
    /// must do, so that the others do not wait for it in a collective forever.
    public func abort(code: Int32 = 1) -> Never {
        MPI_Abort(communicator, code)
        exit(code)
    }

    // MARK: - Collectives

    /// Element-wise sums over every process, in place.
    public func allSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try timed(bytes: values.count * 4) {
            try check(MPI_Allreduce(graft_mpi_in_place(), values.baseAddress, Int32(values.count), graft_mpi_float(), graft_mpi_sum(),
                                    communicator), "MPI_Allreduce")
        }
    }

    public func allSum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        try timed(bytes: values.count * 8) {
            try check(MPI_Allreduce(graft_mpi_in_place(), values.baseAddress, Int32(values.count), graft_mpi_double(), graft_mpi_sum(),
                                    communicator), "MPI_Allreduce")
        }
    }

    public func sum(_ values: [Double]) throws -> [Double] {
        var result = values
        try result.withUnsafeMutableBufferPointer { try allSum($0) }
        return result
    }

    public func gather(_ values: [Float]) throws -> [Float] {
        var counts = [Int32](repeating: 0, count: size)
        var own = Int32(values.count)
        try check(MPI_Allgather(&own, 1, graft_mpi_int(), &counts, 1, graft_mpi_int(), communicator), "MPI_Allgather")
        var offsets = [Int32](repeating: 0, count: size)
        for r in 1..<max(1, size) { offsets[r] = offsets[r - 1] + counts[r - 1] }
        var result = [Float](repeating: 0, count: Int(counts.reduce(0, +)))
        try timed(bytes: result.count * 4) {
            try values.withUnsafeBufferPointer { source in
                try check(MPI_Allgatherv(source.baseAddress, own, graft_mpi_float(), &result, counts, offsets, graft_mpi_float(), communicator),
                          "MPI_Allgatherv")
            }
        }
        return result
    }

    public func broadcast(_ bytes: [UInt8]) throws -> [UInt8] {
        var count = Int64(bytes.count)
        try check(MPI_Bcast(&count, 8, graft_mpi_byte(), 0, communicator), "MPI_Bcast")
        var result = rank == 0 ? bytes : [UInt8](repeating: 0, count: Int(count))
        try timed(bytes: Int(count)) {
            try check(MPI_Bcast(&result, Int32(count), graft_mpi_byte(), 0, communicator), "MPI_Bcast")
        }
        return result
    }

    /// Returns once every process has called it.
    public func barrier() throws {
        try check(MPI_Barrier(communicator), "MPI_Barrier")
    }

    private func timed(bytes: Int, _ body: () throws -> Void) rethrows {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        statistics.collectiveSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        statistics.collectiveBytes += bytes
    }
}
