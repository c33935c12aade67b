import Foundation

/// Set by the first Ctrl-C or SIGTERM (what `kill`, systemd and container runtimes send), so
/// training stops cleanly at the next batch (the checkpoint of the last completed epoch stays);
/// a second signal ends the process at once.
final class InterruptFlag: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var set = false

    init() {
        for (number, name) in [(SIGINT, "interrupt"), (SIGTERM, "terminate")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in
                lock.lock()
                let again = set
                set = true
                lock.unlock()
                if again { exit(128 + number) }
                FileHandle.standardError.write(Data("\n\(name): stopping after this batch (Ctrl-C again to quit now)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return set
    }
}
