import Foundation

/// A fault to inject: the next `count` requests matching `method` and `path` are answered with
/// `status`, cut halfway, or delayed.
public struct Fault: Sendable, Codable, Equatable {
    public var status: Int?
    public var cut: Bool?
    public var delayMilliseconds: Int?
    public var count: Int?
    public var method: String?
    /// A glob over the request path (`*` matches any characters, `?` one).
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
        if let path, !globMatch(path, requestPath) { return false }
        return true
    }
}

/// `*` any run of characters, `?` one character; everything else literal.
func globMatch(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern.unicodeScalars)
    let t = Array(text.unicodeScalars)
    var pi = 0
    var ti = 0
    var starP = -1
    var starT = 0
    while ti < t.count {
        if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
            pi += 1
            ti += 1
        } else if pi < p.count, p[pi] == "*" {
            starP = pi
            starT = ti
            pi += 1
        } else if starP >= 0 {
            pi = starP + 1
            starT += 1
            ti = starT
        } else {
            return false
        }
    }
    while pi < p.count, p[pi] == "*" { pi += 1 }
    return pi == p.count
}

/// The faults still to fire; each match uses one of its `count` (no count: it fires forever).
actor FaultInjector {
    private var faults: [(fault: Fault, remaining: Int?)]

    init(_ faults: [Fault]) {
        self.faults = faults.map { ($0, $0.count) }
    }

    func add(_ fault: Fault) { faults.append((fault, fault.count)) }

    func removeAll() { faults.removeAll() }

    /// The first fault matching the request, consumed.
    func take(method: String, path: String) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.fault.matches(method: method, path: path) }) else { return nil }
        let fault = faults[index].fault
        if let remaining = faults[index].remaining {
            if remaining <= 1 { faults.remove(at: index) } else { faults[index].remaining = remaining - 1 }
        }
        return fault
    }
}
