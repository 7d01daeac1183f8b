import Crypto
import Foundation

/// The claims of a Connect app's JWT.
public struct ConnectClaims: Sendable, Equatable {
    /// The app key.
    public var issuer: String
    /// The installation's client key.
    public var subject: String
    public var issuedAt: Int
    public var expires: Int
    /// The canonical request's hash.
    public var queryStringHash: String

    public init(issuer: String, subject: String, issuedAt: Int, expires: Int, queryStringHash: String) {
        self.issuer = issuer
        self.subject = subject
        self.issuedAt = issuedAt
        self.expires = expires
        self.queryStringHash = queryStringHash
    }
}

/// HS256 JWTs as Bitbucket's Connect endpoints expect them (`Authorization: JWT <token>`).
public enum ConnectJWT {
    /// How long a token made for one request stays valid.
    public static let lifetime = 180

    /// A signed token for one request.
    public static func token(
        for request: CanonicalRequest, appKey: String, clientKey: String, sharedSecret: String,
        now: Date = Date()
    ) -> String {
        let issuedAt = Int(now.timeIntervalSince1970)
        let claims = ConnectClaims(
            issuer: appKey, subject: clientKey, issuedAt: issuedAt, expires: issuedAt + lifetime,
            queryStringHash: request.queryStringHash)
        return sign(claims, secret: sharedSecret)
    }

    /// Header and payload in compact JSON, in the claim order Atlassian's libraries use, signed.
    public static func sign(_ claims: ConnectClaims, secret: String) -> String {
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        let payload =
            #"{"iss":\#(jsonString(claims.issuer)),"sub":\#(jsonString(claims.subject)),"#
            + #""iat":\#(claims.issuedAt),"exp":\#(claims.expires),"qsh":\#(jsonString(claims.queryStringHash))}"#
        let signingInput = base64URL(Data(header.utf8)) + "." + base64URL(Data(payload.utf8))
        return signingInput + "." + signature(of: signingInput, secret: secret)
    }

    public enum VerificationError: Error, Equatable, CustomStringConvertible {
        case malformed
        case unsupportedAlgorithm(String)
        case unknownInstallation(String)
        case badSignature
        case expired
        case queryStringHashMismatch

        public var description: String {
            switch self {
            case .malformed: return "the token is not a JWT"
            case .unsupportedAlgorithm(let alg): return "algorithm \(alg) is not HS256"
            case .unknownInstallation(let sub): return "no installation has client key '\(sub)'"
            case .badSignature: return "the signature does not match"
            case .expired: return "the token has expired"
            case .queryStringHashMismatch: return "qsh does not match the request"
            }
        }
    }

    /// Checks a received token: HS256, the signature over the segments exactly as received, the
    /// installation found by `sub`, `exp` (with a small leeway for clocks), and `qsh` recomputed
    /// from the request.
    public static func verify(
        _ token: String, request: CanonicalRequest, secretForClientKey: (String) -> String?,
        now: Date = Date(), leeway: Int = 30
    ) throws(VerificationError) -> ConnectClaims {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3,
            let headerData = decodeBase64URL(String(segments[0])),
            let payloadData = decodeBase64URL(String(segments[1])),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            let payload = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any]
        else { throw .malformed }
        guard let alg = header["alg"] as? String, alg == "HS256" else {
            throw .unsupportedAlgorithm(header["alg"] as? String ?? "none")
        }
        guard let iss = payload["iss"] as? String, let sub = payload["sub"] as? String,
            let exp = (payload["exp"] as? NSNumber)?.intValue
        else { throw .malformed }
        guard let secret = secretForClientKey(sub) else { throw .unknownInstallation(sub) }
        let expected = signature(of: "\(segments[0]).\(segments[1])", secret: secret)
        guard constantTimeEqual(expected, String(segments[2])) else { throw .badSignature }
        // `exp` is the sender's number: `exp + leeway` could overflow, `now - leeway` cannot.
        guard Int(now.timeIntervalSince1970) - leeway <= exp else { throw .expired }
        let qsh = payload["qsh"] as? String ?? ""
        guard qsh == request.queryStringHash else { throw .queryStringHashMismatch }
        let iat = (payload["iat"] as? NSNumber)?.intValue ?? 0
        return ConnectClaims(issuer: iss, subject: sub, issuedAt: iat, expires: exp, queryStringHash: qsh)
    }

    static func signature(of input: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return base64URL(Data(mac))
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decodeBase64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    /// A JSON string literal: `"` and `\` escaped, control characters as `\uXXXX`, the rest as it is.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
