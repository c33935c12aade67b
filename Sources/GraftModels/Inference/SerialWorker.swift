import Foundation

/// One thread that runs submitted jobs one after another, in submission order.
///
/// A thread of its own rather than a serial dispatch queue: a queue may run each job on another
/// pool thread, and every thread that runs oneDNN kernels keeps an OpenMP team of its own, so
/// inference on one long-lived thread keeps one team (and its per-thread settings) for good.
final class SerialWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false
    private var thread: Thread?

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        // Deep networks recurse through their modules; leave room beyond the default 512 KiB.
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    /// Whether the caller is this worker's own thread (where waiting for a job would never end).
    var isCurrent: Bool { Thread.current === condition.withLock { thread } }

    func submit(_ job: @escaping () -> Void) {
        condition.withLock {
            precondition(!stopping, "a job was submitted to a stopped worker")
            jobs.append(job)
            condition.signal()
        }
    }

    /// Lets the jobs already submitted finish, then ends the thread.
    func stop() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    private func run() {
        while let job = next() { job() }
        condition.withLock { thread = nil }
    }

    private func next() -> (() -> Void)? {
        condition.withLock {
            while jobs.isEmpty && !stopping { condition.wait() }
            return jobs.isEmpty ? nil : jobs.removeFirst()
        }
    }
}
