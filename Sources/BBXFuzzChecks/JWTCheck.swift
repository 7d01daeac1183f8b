import ConnectJWT
import Foundation

extension FuzzChecks {
    /// JWT verification on any token (and, after the first NUL, any query): never a crash (a
    /// correctly signed `exp` of Int64.max once overflowed), and a token signed by bbx with the
    /// numbers the input carries is verified without trapping either.
    public static func jwt(_ bytes: [UInt8]) -> String? {
        let (first, rest) = split(bytes)
        let token = String(decoding: first, as: UTF8.self)
        let request = CanonicalRequest(
            method: "GET", path: "/2.0/addon/linkers",
            rawQuery: rest.isEmpty ? nil : String(decoding: rest, as: UTF8.self))
        let secret = "fuzz-shared-secret"
        if (try? ConnectJWT.verify(token, request: request, secretForClientKey: { _ in secret })) != nil,
            token.split(separator: ".", omittingEmptySubsequences: false).count != 3
        {
            return "a token without three segments was accepted"
        }
        if let payload = try? JSONSerialization.jsonObject(with: Data(rest)) as? [String: Any],
            let exp = (payload["exp"] as? NSNumber)?.int64Value
        {
            let claims = ConnectClaims(
                issuer: "fuzz", subject: "connection:1", issuedAt: 0, expires: Int(exp),
                queryStringHash: request.queryStringHash)
            _ = try? ConnectJWT.verify(
                ConnectJWT.sign(claims, secret: secret), request: request, secretForClientKey: { _ in secret })
        }
        return nil
    }
}
