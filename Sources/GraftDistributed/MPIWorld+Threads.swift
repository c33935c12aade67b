import Foundation
import GraftCore

extension MPIWorld {
    /// The compute threads each process should run when the user chose none: the cores of this
    /// machine shared by the job's processes on it, at least one. When `mpirun` has already bound
    /// each process to its own cores (or a quota limits them), OpenMP follows that and this
    /// changes nothing.
    public var threadsPerProcess: Int {
        let available = Engine.threadCount
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return available >= online ? max(1, available / localSize) : available
    }
}
