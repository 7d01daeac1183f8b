/// A Connect app's linker (legacy: Atlassian flagged linkers for removal), as Bitbucket lists
/// it, as planning shows it and as `--json` exports it: one type from the client to the output.
public struct Linker: Sendable, Hashable, Codable {
    public let key: String
    public let regex: String?
    public let url: String?
    public let linkType: String?
    public let values: [LinkerValue]?

    public init(
        key: String, linkType: String? = nil, url: String? = nil, regex: String? = nil, values: [LinkerValue]? = nil
    ) {
        self.key = key
        self.linkType = linkType
        self.url = url
        self.regex = regex
        self.values = values
    }

    enum CodingKeys: String, CodingKey {
        case key, url, regex, values
        case linkType = "link_type"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        regex = try container.decodeIfPresent(String.self, forKey: .regex)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        linkType = try container.decodeIfPresent(String.self, forKey: .linkType)
        // Values may come as a list or a page; a shape we do not know is left out, not an error.
        values = (try? container.decodeIfPresent(ValueList.self, forKey: .values))?.values
    }

    /// `[…]` or `{"values": […]}`.
    private struct ValueList: Decodable {
        let values: [LinkerValue]

        init(from decoder: any Decoder) throws {
            if let list = try? [LinkerValue](from: decoder) {
                values = list
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            values = try container.decodeIfPresent([LinkerValue].self, forKey: .values) ?? []
        }

        enum CodingKeys: String, CodingKey { case values }
    }
}

/// One value of a linker: `{"id": 1, "value": "PROJ"}`.
public struct LinkerValue: Sendable, Hashable, Codable {
    public let id: Int
    public let value: String

    public init(id: Int, value: String) {
        self.id = id
        self.value = value
    }
}
