import BBXPlan
import Foundation

/// A fault to inject: the next `count` requests matching `method` and `path` are answered with
/// `status`, cut halfway, or delayed.
public struct Fault: Sendable, Codable, Equatable {
    public var status: Int?
    public var cut: Bool?
    public var delayMilliseconds: Int?
    public var count: Int?
    public var method: String?
    /// A glob over the request path (`*` within a segment, `**` across segments, `?` one character).
    public var path: String?

    enum CodingKeys: String, CodingKey {
        case status, cut, count, method, path
        case delayMilliseconds = "delay_ms"
    }

    public init(
        status: Int? = nil, cut: Bool? = nil, delayMilliseconds: Int? = nil, count: Int? = nil, method: String? = nil,
        path: String? = nil
    ) {
        self.status = status
        self.cut = cut
        self.delayMilliseconds = delayMilliseconds
        self.count = count
        self.method = method
        self.path = path
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `--fault status=429,count=3,method=POST,path=/2.0/*`
    public init(parsing text: String) throws {
        self.init()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw Invalid(description: "fault '\(text)': expected key=value pairs") }
            let (key, value) = (parts[0], parts[1])
            switch key {
            case "status": status = Int(value)
            case "count": count = Int(value)
            case "delay_ms": delayMilliseconds = Int(value)
            case "cut": cut = value == "true" || value == "1"
            case "method": method = value.uppercased()
            case "path": path = value
            default: throw Invalid(description: "fault '\(text)': unknown key '\(key)'")
            }
            if ["status", "count", "delay_ms"].contains(key), Int(value) == nil {
                throw Invalid(description: "fault '\(text)': \(key) takes a number")
            }
        }
        try validate()
    }

    public func validate() throws {
        if status == nil, cut != true, delayMilliseconds == nil {
            throw Invalid(description: "a fault needs status, cut or delay_ms")
        }
        if let status, !(100...599).contains(status) {
            throw Invalid(description: "status \(status) is not an HTTP status")
        }
        if let count, count < 1 { throw Invalid(description: "count must be at least 1") }
    }

    func matches(method requestMethod: String, path requestPath: String) -> Bool {
        if let method, method.uppercased() != requestMethod.uppercased() { return false }
        // bbx's own globs, as for local paths: `*` and `?` stay within a segment, `**` crosses
        // them (and `[…]`, `{a,b}` and `\` escapes work as in scripts). Matching is linear in
        // the path, whatever the pattern.
        if let path, !Glob(path, mode: .localPath).matches(requestPath) { return false }
        return true
    }
}

/// The faults still to fire; each match uses one of its `count` (no count: it fires forever).
actor FaultInjector {
    private var faults: [(fault: Fault, remaining: Int?)]

    init(_ faults: [Fault]) {
        self.faults = faults.map { ($0, $0.count) }
    }

    func add(_ fault: Fault) { faults.append((fault, fault.count)) }

    func removeAll() { faults.removeAll() }

    /// The faults matching the request, merged, each consumed once: a delay, a status and a
    /// cut may so apply together, while a second fault of a kind already taken waits.
    func take(method: String, path: String) -> Fault? {
        var merged: Fault?
        var index = 0
        while index < faults.count {
            let (fault, remaining) = faults[index]
            guard fault.matches(method: method, path: path) else {
                index += 1
                continue
            }
            var result = merged ?? Fault()
            // A fault applies only where it adds to what is taken: a second status waits for
            // the next request (faults queued one after another keep their order).
            let clashes =
                (fault.status != nil && result.status != nil) || (fault.cut == true && result.cut == true)
                || (fault.delayMilliseconds != nil && result.delayMilliseconds != nil)
            guard !clashes else {
                index += 1
                continue
            }
            result.status = result.status ?? fault.status
            if fault.cut == true { result.cut = true }
            result.delayMilliseconds = result.delayMilliseconds ?? fault.delayMilliseconds
            merged = result
            if let remaining {
                if remaining <= 1 {
                    faults.remove(at: index)
                    continue
                }
                faults[index].remaining = remaining - 1
            }
            index += 1
        }
        return merged
    }
}
