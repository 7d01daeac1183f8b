import BitbucketAPI
import Foundation
import Testing

/// `created_on` as a server may send it. A time that is not one must read as unknown (never
/// old enough to prune), not be rolled over by the calendar into some other date.
@Suite("Client: created_on in a listing")
struct ListingDecodingTests {
    static func created(_ text: String) throws -> Date? {
        let json = #"{"values": [{"name": "a.zip", "size": 1, "created_on": "\#(text)"}]}"#
        let artifact = try #require(try ListingPage.decode(Data(json.utf8)).artifacts.first)
        return artifact.isCreationKnown ? artifact.created : nil
    }

    /// 2016-01-24T17:05:31Z.
    static let base = 1_453_655_131.0

    @Test(arguments: [
        ("2016-01-24T17:05:31.001541+00:00", base + 0.001541),
        ("2016-01-24T19:05:31.5+02:00", base + 0.5),
        ("2016-01-24T12:35:31-04:30", base),
        ("2016-01-24T17:05:31Z", base),
        ("2016-01-24 17:05:31+00:00", base),
        ("2024-02-29T00:00:00+00:00", 1_709_164_800),
    ])
    func timesAsBitbucketWritesThem(_ text: String, _ expected: Double) throws {
        let date = try #require(try Self.created(text))
        #expect(abs(date.timeIntervalSince1970 - expected) < 0.000_01)
    }

    @Test(arguments: [
        "2026-13-01T00:00:00+00:00", "2026-00-10T00:00:00+00:00", "2026-02-29T00:00:00+00:00",
        "2026-04-31T00:00:00+00:00", "2026-01-00T00:00:00+00:00", "2026-01-01T24:00:00+00:00",
        "2026-01-01T00:60:00+00:00", "2026-01-01T00:00:61+00:00", "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00+01:75", "0000-01-01T00:00:00+00:00", "", "yesterday",
    ])
    func whatIsNotATimeIsUnknown(_ text: String) throws {
        #expect(try Self.created(text) == nil)
    }
}
