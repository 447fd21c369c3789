import Yams

extension WorkspaceConfiguration {
    /// The desk's settings (`desk:` in liaison.yaml).
    public struct Desk: Sendable, Equatable {
        /// Whether the session cookie is marked `Secure` (sent over HTTPS only): `true` behind a TLS reverse proxy,
        /// `false` for plain HTTP. Nil (not set): Secure unless `serve` listens on a loopback address.
        public var secureCookies: Bool?
        /// The addresses of reverse proxies in front of the desk (`desk.trusted_proxies: [127.0.0.1]`): for a request
        /// from one of them, the client's address is the last address of `X-Forwarded-For` that is not a trusted
        /// proxy (for the login throttle). Empty: `X-Forwarded-For` is ignored.
        public var trustedProxies: [String]
        public init(secureCookies: Bool? = nil, trustedProxies: [String] = []) {
            self.secureCookies = secureCookies
            self.trustedProxies = trustedProxies
        }
    }

    /// Reads `desk:`.
    mutating func readDesk(_ node: Node, with reader: inout YAMLFields) {
        guard let fields = reader.fields(of: node, what: "desk", allowed: ["secure_cookies", "trusted_proxies"]) else { return }
        for (name, _, value) in fields.entries {
            if name == "trusted_proxies" {
                desk.trustedProxies = reader.list(value, field: "desk.trusted_proxies").map(\.0)
                continue
            }
            guard let text = reader.singleLine(value, field: "desk.secure_cookies") else { continue }
            switch text.lowercased() {
            case "true", "yes", "on": desk.secureCookies = true
            case "false", "no", "off": desk.secureCookies = false
            default: reader.error(YAMLFields.line(value), "desk.secure_cookies must be true or false, not \"\(text)\"")
            }
        }
    }
}
