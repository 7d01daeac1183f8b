import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The write end of the pipe SIGINT is turned into; read by the handler below, which may run on
/// any thread at any moment, so it is a plain global set before the handler is installed.
nonisolated(unsafe) private var interruptPipe: Int32 = -1

/// SIGINT (Ctrl-C), and whichever other signals are asked for (SIGTERM, SIGHUP), delivered as
/// events: `handler` runs on a dispatch queue once per signal, with its number.
///
/// Not a `DispatchSourceSignal`: on Linux, libdispatch receives signals through a signalfd and
/// re-raises to one thread those that reach another, and a Ctrl-C during a REPL download was
/// seen lost that way. A signal handler that writes a byte to a pipe (`write` is safe there)
/// loses none; the pipe's read end is an ordinary dispatch read source.
///
/// `@unchecked Sendable`: it wraps a `DispatchSourceRead` (not `Sendable` on Linux) and two
/// descriptors, all set once in `init`; `stop` only cancels the source.
final class InterruptSignal: @unchecked Sendable {
    private let source: DispatchSourceRead
    private let descriptors: (read: Int32, write: Int32)

    private let signals: [Int32]

    init(signals: [Int32] = [SIGINT], _ handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        var fds: [Int32] = [-1, -1]
        _ = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        descriptors = (fds[0], fds[1])
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        interruptPipe = fds[1]
        for number in signals {
            _ = signal(number) { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(interruptPipe, &byte, 1)
            }
        }
        let readEnd = fds[0]
        source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 16)
            let count = read(readEnd, &buffer, buffer.count)
            for index in 0..<max(count, 0) { handler(Int32(buffer[index])) }
        }
        source.resume()
    }

    /// The signals end the process again, as usual.
    func stop() {
        for number in signals { _ = signal(number, SIG_DFL) }
        interruptPipe = -1
        let descriptors = descriptors
        source.setCancelHandler {
            close(descriptors.read)
            close(descriptors.write)
        }
        source.cancel()
    }
}
