import Crypto
import Foundation

/// The token of a vendor's answer link: bound to a case, an organisation and an expiry, with a random nonce, and
/// authenticated with HMAC-SHA256 under the workspace's answer-link key.
///
/// Layout (RFC 4648 §5 base64url without padding, two parts joined by `.`):
/// `payload = 0x01 ‖ nonce (16 bytes) ‖ expiry (UInt64 BE, seconds since 1970) ‖ len(case) (UInt16 BE) ‖ case (UTF-8) ‖ organisation (UTF-8)`,
/// `token = b64url(payload) "." b64url(HMAC-SHA256(key, payload))`. The nonce makes every token unguessable (128
/// random bits besides the 256-bit MAC) and lets one link be revoked alone.
///
/// ```swift
/// let token = AnswerToken(caseId: "JVNVU#12345678", organizationId: "kagayaki", nonce: AnswerToken.newNonce(), expiresAt: end)
/// let text = token.encoded(key: key)
/// let read = AnswerToken.decode(text, key: key)   // nil for anything tampered
/// ```
public struct AnswerToken: Sendable, Hashable {
    public let caseId: String
    public let organizationId: String
    /// 16 random bytes.
    public let nonce: Data
    /// Whole seconds.
    public let expiresAt: Date

    static let version: UInt8 = 1
    /// Longer text is refused before any decoding (a case id and organisation id fit well within it).
    public static let maximumLength = 1024

    public init(caseId: String, organizationId: String, nonce: Data, expiresAt: Date) {
        self.caseId = caseId; self.organizationId = organizationId; self.nonce = nonce
        self.expiresAt = Date(timeIntervalSince1970: expiresAt.timeIntervalSince1970.rounded(.down))
    }

    /// 16 bytes from the system's secure random generator.
    public static func newNonce() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The nonce as lower-case hex, as the registry keeps it.
    public var nonceHex: String { nonce.map { String(format: "%02x", $0) }.joined() }

    var payload: Data {
        var data = Data([Self.version])
        data.append(nonce)
        var expiry = UInt64(max(0, expiresAt.timeIntervalSince1970)).bigEndian
        withUnsafeBytes(of: &expiry) { data.append(contentsOf: $0) }
        let caseBytes = Data(caseId.utf8)
        var length = UInt16(caseBytes.count).bigEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(caseBytes)
        data.append(Data(organizationId.utf8))
        return data
    }

    /// The token text: URL-safe (`A–Z a–z 0–9 - _ .`).
    public func encoded(key: SymmetricKey) -> String {
        let payload = payload
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return Self.base64URL(payload) + "." + Self.base64URL(Data(mac))
    }

    /// The token `text` stands for, when its MAC verifies under `key` (compared in constant time) and it is well
    /// formed; nil otherwise, whatever the reason.
    public static func decode(_ text: String, key: SymmetricKey) -> AnswerToken? {
        guard text.utf8.count <= maximumLength else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = data(base64URL: String(parts[0])), let mac = data(base64URL: String(parts[1])),
              mac.count == SHA256.byteCount,
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key) else { return nil }
        let bytes = [UInt8](payload)
        guard bytes.count >= 1 + 16 + 8 + 2, bytes[0] == version else { return nil }
        let nonce = Data(bytes[1..<17])
        let expiry = bytes[17..<25].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let length = Int(bytes[25]) << 8 | Int(bytes[26])
        guard bytes.count >= 27 + length,
              let caseId = String(bytes: bytes[27..<(27 + length)], encoding: .utf8),
              let organizationId = String(bytes: bytes[(27 + length)...], encoding: .utf8),
              !caseId.isEmpty, !organizationId.isEmpty, expiry < UInt64(Int64.max) else { return nil }
        return AnswerToken(caseId: caseId, organizationId: organizationId, nonce: nonce,
                           expiresAt: Date(timeIntervalSince1970: TimeInterval(expiry)))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: String) -> Data? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        // Only the canonical spelling: a last character whose unused low bits are set decodes to the same bytes,
        // so one token would have several spellings.
        guard let data = Data(base64Encoded: base64), base64URL(data) == text else { return nil }
        return data
    }
}

/// The workspace's answer-link key: 32 random bytes in `.liaison/answer-link.key` (mode 0600), made on first use.
///
/// It is kept in a file beside the database and not in it, so that a copy of the database (a backup, `store copy`,
/// a database shared for reports) cannot make links; deleting the file invalidates every link issued.
public enum AnswerLinkKey {
    /// The key file in a workspace's state folder.
    public static func url(stateDirectory: URL) -> URL { stateDirectory.appendingPathComponent("answer-link.key") }

    /// Reads the key, making it (32 bytes from the secure random generator, mode 0600) when the file does not
    /// exist. Throws `GatewayError.configuration` when it cannot be read or made, or is not 32 bytes.
    public static func loadOrCreate(stateDirectory: URL) throws -> SymmetricKey {
        let file = url(stateDirectory: stateDirectory)
        let manager = FileManager.default
        if !manager.fileExists(atPath: file.path) {
            try? manager.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
            var generator = SystemRandomNumberGenerator()
            let bytes = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            // Made with mode 0600 from the start (O_EXCL: two processes starting at once keep the first key).
            let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 {
                let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                guard written == bytes.count else {
                    try? manager.removeItem(at: file)
                    throw GatewayError.configuration("could not write the answer-link key \(file.path)")
                }
            } else if errno != EEXIST {
                throw GatewayError.configuration("could not make the answer-link key \(file.path): \(String(cString: strerror(errno)))")
            }
        }
        guard let data = manager.contents(atPath: file.path) else {
            throw GatewayError.configuration("could not read the answer-link key \(file.path)")
        }
        guard data.count == 32 else {
            throw GatewayError.configuration("the answer-link key \(file.path) is not 32 bytes; remove it to make a new one (every link issued stops working)")
        }
        return SymmetricKey(data: data)
    }
}
