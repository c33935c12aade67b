import CMPI
import Foundation
import GraftCore
import GraftOptim
import GraftTraining

/// Sums every process's gradients with non-blocking allreduces over buckets of parameters, each
/// started as soon as backward has finished all of its gradients, so that the communication of
/// the late layers runs while backward computes the early ones (PyTorch DDP's buckets, Horovod's
/// tensor fusion). Buckets are the optimizer's parameters in reverse order (the order backward
/// finishes them) cut every `bucketBytes`, and they start in that order on every process, which
/// MPI needs. Each parameter's slot carries a flag after its elements, so that a parameter no
/// process's loss reached ends the step without a gradient, as it would in one process.
final class BucketedGradientAllreduce: GradientSynchronizer {
    private unowned let world: MPIWorld
    let bucketBytes: Int
    private var buckets: [Bucket] = []
    private var bucketOfParameter: [ObjectIdentifier: (bucket: Int, slot: Int)] = [:]
    /// Buckets start strictly in index order; the next one that has not.
    private var nextToStart = 0
    private var firstStart: UInt64?

    /// 4 MiB: several buckets even for the smallest backbones' full fine-tuning (about 18 MB of
    /// gradients for EfficientNet-Lite0), so that there is something to overlap.
    init(world: MPIWorld, bucketBytes: Int = 4 << 20) {
        self.world = world
        self.bucketBytes = bucketBytes
    }

    deinit { for bucket in buckets { bucket.buffer.deallocate() } }

    func prepare(_ parameters: [NamedParameter]) {
        for bucket in buckets { bucket.buffer.deallocate() }
        buckets = []
        bucketOfParameter = [:]
        var current: [NamedParameter] = [], floats = 0
        func close() {
            guard !current.isEmpty else { return }
            buckets.append(Bucket(current))
            current = []
            floats = 0
        }
        for parameter in parameters.reversed() where bucketOfParameter[ObjectIdentifier(parameter.tensor)] == nil {
            bucketOfParameter[ObjectIdentifier(parameter.tensor)] = (buckets.count, current.count)
            current.append(parameter)
            floats += parameter.tensor.gradientStorageCount + 1
            if floats * 4 >= bucketBytes { close() }
        }
        close()
        nextToStart = 0
    }

    func gradientReady(_ parameter: NamedParameter) {
        guard let (b, slot) = bucketOfParameter[ObjectIdentifier(parameter.tensor)] else { return }
        buckets[b].fill(slot)
        startCompleteBuckets()
        progress()
    }

    func synchronizeGradients() throws {
        // What backward did not reach (or, on a process with no images in this batch, all of it)
        // goes out as zeros, flagged as absent.
        while nextToStart < buckets.count {
            buckets[nextToStart].fillMissing()
            try start(nextToStart)
        }
        let waitStart = DispatchTime.now().uptimeNanoseconds
        var requests = buckets.map(\.request)
        try check(MPI_Waitall(Int32(requests.count), &requests, graft_mpi_statuses_ignore()), "MPI_Waitall (gradients)")
        let end = DispatchTime.now().uptimeNanoseconds
        world.statistics.gradientWaitSeconds += Double(end - waitStart) / 1e9
        world.statistics.gradientReduceSeconds += Double(end - (firstStart ?? end)) / 1e9
        world.statistics.gradientSteps += 1
        firstStart = nil
        for b in buckets.indices {
            buckets[b].request = graft_mpi_request_null()
            buckets[b].unpack()
        }
        nextToStart = 0
    }

    private func startCompleteBuckets() {
        while nextToStart < buckets.count && buckets[nextToStart].isComplete {
            // A failure here surfaces from MPI_Waitall in synchronizeGradients; gradientReady cannot throw.
            try? start(nextToStart)
        }
    }

    private func start(_ b: Int) throws {
        firstStart = firstStart ?? DispatchTime.now().uptimeNanoseconds
        nextToStart = b + 1
        world.statistics.gradientBytes += buckets[b].count * 4
        try check(MPI_Iallreduce(graft_mpi_in_place(), buckets[b].buffer, Int32(buckets[b].count), graft_mpi_float(), graft_mpi_sum(),
                                 world.communicator, &buckets[b].request), "MPI_Iallreduce (gradients)")
    }

    /// Open MPI moves a non-blocking collective along only inside MPI calls: a test of the
    /// started requests at each gradient keeps them moving while backward runs.
    private func progress() {
        guard nextToStart > 0 else { return }
        var requests = buckets[0..<nextToStart].map(\.request)
        var done: Int32 = 0
        MPI_Testall(Int32(requests.count), &requests, &done, graft_mpi_statuses_ignore())
        // Finished requests come back as MPI_REQUEST_NULL, which Waitall skips.
        for (b, request) in requests.enumerated() { buckets[b].request = request }
    }
}

/// A run of parameters whose gradients travel in one allreduce: each parameter's gradient
/// storage, then a flag (1: this process's loss reached it).
private struct Bucket {
    let parameters: [NamedParameter]
    let offsets: [Int]
    let count: Int
    let buffer: UnsafeMutablePointer<Float>
    var request = graft_mpi_request_null()
    private var filled: [Bool]
    private var remaining: Int

    init(_ parameters: [NamedParameter]) {
        self.parameters = parameters
        var offsets: [Int] = [], total = 0
        for parameter in parameters {
            offsets.append(total)
            total += parameter.tensor.gradientStorageCount + 1
        }
        self.offsets = offsets
        count = total
        buffer = .allocate(capacity: total)
        filled = [Bool](repeating: false, count: parameters.count)
        remaining = parameters.count
    }

    var isComplete: Bool { remaining == 0 }

    mutating func fill(_ slot: Int) {
        guard !filled[slot] else { return }
        let size = parameters[slot].tensor.gradientStorageCount, destination = buffer + offsets[slot]
        if parameters[slot].tensor.grad == nil {
            destination.initialize(repeating: 0, count: size + 1)
        } else {
            parameters[slot].tensor.withGradientStorage { gradient in
                precondition(gradient.count == size, "\(parameters[slot].name)'s gradient changed layout during the step")
                destination.update(from: gradient.baseAddress!, count: size)
            }
            destination[size] = 1
        }
        filled[slot] = true
        remaining -= 1
    }

    mutating func fillMissing() {
        for slot in filled.indices where !filled[slot] {
            let size = parameters[slot].tensor.gradientStorageCount
            (buffer + offsets[slot]).initialize(repeating: 0, count: size + 1)
            filled[slot] = true
        }
        remaining = 0
    }

    /// The summed gradients back into the parameters; resets for the next step.
    mutating func unpack() {
        for (slot, parameter) in parameters.enumerated() {
            let size = parameter.tensor.gradientStorageCount, source = buffer + offsets[slot]
            if source[size] > 0 {
                parameter.tensor.withGradientStorage { $0.baseAddress!.update(from: source, count: size) }
            } else {
                parameter.tensor.zeroGrad()
            }
        }
        filled = [Bool](repeating: false, count: parameters.count)
        remaining = parameters.count
    }
}
