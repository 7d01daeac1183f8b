import Hummingbird
import NIOCore

/// The request context of both listeners: Hummingbird's basic one plus the connection, so that
/// a `cut` fault can close it before any answer is sent (a lost 204 has no body to cut).
struct EmulatorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
