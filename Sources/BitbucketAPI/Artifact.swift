import BitbucketModel
import Foundation

/// The JSON Bitbucket sends for an artifact, read leniently: only `name` is required, as a
/// missing field elsewhere should not stop a listing.
struct ArtifactJSON: Decodable, Sendable {
    let name: String
    let size: Int64?
    let created_on: String?
    let downloads: Int?
    let user: User?

    struct User: Decodable, Sendable {
        let display_name: String?
        let uuid: String?
        let account_id: String?
    }

    var artifact: Artifact {
        Artifact(
            name: name, size: size ?? 0,
            // Unknown is never old enough: a missing or unreadable time must not read as 1970.
            created: created_on.flatMap(ISOTimestamp.parse) ?? .distantFuture,
            createdOn: created_on,
            downloads: downloads ?? 0,
            uploader: user.map {
                Artifact.Uploader(displayName: $0.display_name, uuid: $0.uuid, accountID: $0.account_id)
            })
    }
}

/// A page of a paginated listing. Only `values` and `next` are relied on; a bare array is read
/// as a single page (the Connect listings' shape is unconfirmed).
struct Page<Element: Decodable & Sendable>: Decodable, Sendable {
    let values: [Element]
    let next: String?
    /// The number of elements in all pages, when the server says (Bitbucket does; not promised).
    let size: Int?

    init(from decoder: any Decoder) throws {
        if let array = try? [Element](from: decoder) {
            values = array
            next = nil
            size = nil
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        values = try container.decodeIfPresent([Element].self, forKey: .values) ?? []
        next = try container.decodeIfPresent(String.self, forKey: .next)
        // A total that is not a whole number is no total: the listing is read without the check.
        size = (try? container.decodeIfPresent(Int.self, forKey: .size)) ?? nil
    }

    enum CodingKeys: String, CodingKey { case values, next, size }
}

/// The days of a month of the Gregorian calendar.
private func daysIn(_ month: Int, of year: Int) -> Int {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

/// ISO 8601 timestamps as Bitbucket writes them: `2023-10-25T08:19:49.123456+00:00`, with any
/// number of fraction digits, and `Z` or an offset.
enum ISOTimestamp {
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else {
            return nil
        }
        guard index < bytes.count, bytes[index] == 84 || bytes[index] == 116 || bytes[index] == 32 else { return nil }
        index += 1
        guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2) else {
            return nil
        }
        var fraction = 0.0
        if expect(46) {
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if expect(90) || expect(122) {
        } else if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            let sign = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let hours = number(2) else { return nil }
            _ = expect(58)
            guard let minutes = number(2), minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        // Calendar would roll `2026-13-45T25:61` over into some other date: a time that is not
        // one is unknown (and an unknown time is never old enough to prune).
        guard year >= 1, (1...12).contains(month), (1...daysIn(month, of: year)).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second), abs(offset) < 24 * 3600
        else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: components) else { return nil }
        return date.addingTimeInterval(fraction - Double(offset))
    }
}

/// A page of a Downloads listing decoded as the client decodes it, for fuzzing and tests.
public enum ListingPage {
    public static func decode(_ data: Data) throws -> (artifacts: [Artifact], next: String?) {
        let page = try JSONDecoder().decode(Page<ArtifactJSON>.self, from: data)
        return (page.values.map(\.artifact), page.next)
    }
}
