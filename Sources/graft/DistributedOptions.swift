import ArgumentParser
import Foundation
import Graft
import GraftDistributed

/// `--distributed`: whether a command joins an MPI job (`mpirun -np N graft train ...`), and what
/// a failure on one of its processes does to the others.
struct DistributedOptions: ParsableArguments {
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case none, mpi, auto
    }

    @Option(help: "Data-parallel training over MPI processes: auto (join the job when started by mpirun), mpi (always), none.")
    var distributed: Mode = .auto

    /// The job this process is part of, or nil to run alone.
    func join() throws -> MPIWorld? {
        switch distributed {
        case .none: return nil
        case .auto: return MPIWorld.isLaunchedByMPI ? try MPIWorld() : nil
        case .mpi: return try MPIWorld()
        }
    }

    /// Runs `body` in the job (or alone), then leaves it. A failure on any process ends the
    /// whole job at once with a message naming the rank, never a hang: the other processes may
    /// be waiting for this one in a collective.
    func run<T>(threads: Int?, _ body: (MPIWorld?) throws -> T) throws -> T {
        let world: MPIWorld?
        do { world = try join() } catch { throw CommandFailure("cannot join the MPI job (--distributed \(distributed.rawValue)): \(error)") }
        guard let world, world.size > 1 else {
            defer { try? world?.finalize() }
            return try body(world)
        }
        if threads == nil && ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] == nil {
            Engine.threadCount = world.threadsPerProcess
        }
        do {
            let result = try body(world)
            try world.finalize()
            return result
        } catch {
            // The same failure on every rank (a bad option, a folder all of them read) is shown
            // once, by rank 0, whose abort usually ends the others before they print.
            if world.rank != 0 { Thread.sleep(forTimeInterval: 0.5) }
            FileHandle.standardError.write(Data("Error: rank \(world.rank) of \(world.size): \(error)\n".utf8))
            world.abort(code: 1)
        }
    }
}
