import CMPI
import Foundation
import GraftCore

extension MPIWorld: BatchStatisticsGroup {
    public var batchStatisticsGroup: any BatchStatisticsGroup { self }

    /// A sum on a communicator of its own, so that it never queues behind the gradient
    /// allreduces in flight during backward. A failure ends the whole job: the pass cannot throw.
    public func sumOverGroup(_ values: [Double]) -> [Double] {
        var result = values
        let start = DispatchTime.now().uptimeNanoseconds
        let code = result.withUnsafeMutableBufferPointer {
            MPI_Allreduce(graft_mpi_in_place(), $0.baseAddress, Int32($0.count), graft_mpi_double(), graft_mpi_sum(),
                          statisticsCommunicator)
        }
        guard code == MPI_SUCCESS else {
            let error = MPIError(call: "MPI_Allreduce of BatchNorm statistics", code: code)
            FileHandle.standardError.write(Data("Error: rank \(rank) of \(size): \(error)\n".utf8))
            abort(code: 1)
        }
        statistics.batchStatisticsSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        statistics.collectiveBytes += values.count * 8
        return result
    }
}
