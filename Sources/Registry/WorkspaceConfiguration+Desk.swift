import Yams

extension WorkspaceConfiguration {
    /// The desk's settings (`desk:` in liaison.yaml).
    public struct Desk: Sendable, Equatable {
        /// Whether the session cookie is marked `Secure` (sent over HTTPS only): `true` behind a TLS reverse proxy,
        /// `false` for plain HTTP. Nil (not set): Secure unless `serve` listens on a loopback address.
        public var secureCookies: Bool?
        public init(secureCookies: Bool? = nil) { self.secureCookies = secureCookies }
    }

    /// Reads `desk:`.
    mutating func readDesk(_ node: Node, with reader: inout YAMLFields) {
        guard let fields = reader.fields(of: node, what: "desk", allowed: ["secure_cookies"]) else { return }
        for (_, _, value) in fields.entries {
            guard let text = reader.singleLine(value, field: "desk.secure_cookies") else { continue }
            switch text.lowercased() {
            case "true", "yes", "on": desk.secureCookies = true
            case "false", "no", "off": desk.secureCookies = false
            default: reader.error(YAMLFields.line(value), "desk.secure_cookies must be true or false, not \"\(text)\"")
            }
        }
    }
}
