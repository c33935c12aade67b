import Foundation

/// Set by the first Ctrl-C, so training stops cleanly at the next batch (the checkpoint of the
/// last completed epoch stays); a second Ctrl-C ends the process at once.
final class InterruptFlag: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private let lock = NSLock()
    private var set = false

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            lock.lock()
            let again = set
            set = true
            lock.unlock()
            if again { exit(130) }
            FileHandle.standardError.write(Data("\ninterrupt: stopping after this batch (Ctrl-C again to quit now)\n".utf8))
        }
        source.resume()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return set
    }
}
