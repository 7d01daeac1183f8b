/// What `PUT /2.0/addon` is sent: nothing new (`{}`), a descriptor, or where to fetch one.
public enum AppUpdate: Sendable, Hashable {
    case refresh
    /// The descriptor's JSON text, sent as it is under `descriptor`.
    case descriptor(String)
    case descriptorURL(String)
}
