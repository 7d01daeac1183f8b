/// A Connect app's linker (legacy: Atlassian flagged linkers for removal).
public struct Linker: Sendable, Hashable, Decodable {
    public let key: String
    public let regex: String?
    public let url: String?
    public let linkType: String?
    public let values: [LinkerValue]?

    enum CodingKeys: String, CodingKey {
        case key, regex, url, values
        case linkType = "link_type"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        regex = try container.decodeIfPresent(String.self, forKey: .regex)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        linkType = try container.decodeIfPresent(String.self, forKey: .linkType)
        // Values may come as a list or a page; a shape we do not know is left out, not an error.
        values = (try? container.decodeIfPresent(Page<LinkerValue>.self, forKey: .values))?.values
    }
}

/// One value of a linker: `{"id": 1, "value": "PROJ"}`.
public struct LinkerValue: Sendable, Hashable, Decodable {
    public let id: Int
    public let value: String
    public init(id: Int, value: String) {
        self.id = id
        self.value = value
    }
}

/// What `PUT /2.0/addon` is sent: nothing new (`{}`), a descriptor, or where to fetch one.
public enum AppUpdate: Sendable, Hashable {
    case refresh
    /// The descriptor's JSON text, sent as it is under `descriptor`.
    case descriptor(String)
    case descriptorURL(String)
}
