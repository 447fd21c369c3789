import Foundation

/// One HTTP/1.1 response as received: status, headers (names lower-cased; `Set-Cookie` lines kept apart), body.
public struct DeskHTTPResponse: Sendable {
    public let status: Int
    public let headers: [(name: String, value: String)]
    public let body: String

    /// The first value of header `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    /// Every `Set-Cookie` line.
    public var setCookies: [String] { headers.filter { $0.name == "set-cookie" }.map(\.value) }

    /// The value of the hidden form field or meta tag carrying the CSRF token on this page.
    public var csrfToken: String? {
        for pattern in [#"name="csrf-token" content="([^"]+)""#, #"name="csrf" value="([^"]+)""#] {
            if let range = body.range(of: pattern, options: .regularExpression) {
                let match = String(body[range])
                return match.split(separator: "\"").dropFirst(3).first.map(String.init)
            }
        }
        return nil
    }
}

/// A small HTTP client for tests of the desk over real loopback connections: one connection per request
/// (`Connection: close`), redirects never followed (a test sees the 303), cookies kept like a browser (name → value;
/// a `Max-Age=0` cookie removed).
///
/// ```swift
/// let client = DeskHTTPClient(base: server.baseURL)
/// try client.login(name: "alice", password: "correct horse battery")
/// let page = try client.get("/cases/" + "JVNVU%2312345678")
/// let changed = try client.post("/cases/JVNVU%2312345678/response", form: ["org": "acme", "response": "fixed"])
/// ```
public final class DeskHTTPClient: @unchecked Sendable {
    // Used from one test's thread at a time.
    public let base: URL
    public private(set) var cookies: [String: String] = [:]
    /// The session's CSRF token, read from the last page that carried one.
    public private(set) var csrfToken: String?

    public init(base: URL) { self.base = base }

    /// GET `path` (with its query).
    public func get(_ path: String, headers: [String: String] = [:]) throws -> DeskHTTPResponse {
        try send("GET", path, headers: headers, body: nil)
    }

    /// POST a URL-encoded form. The session's CSRF token is added as `csrf` unless `withCSRF` is false or the form has one.
    public func post(_ path: String, form: [(String, String)], withCSRF: Bool = true, headers: [String: String] = [:]) throws -> DeskHTTPResponse {
        var fields = form
        if withCSRF, let token = csrfToken, !fields.contains(where: { $0.0 == "csrf" }) { fields.append(("csrf", token)) }
        let body = fields.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
        var all = headers
        all["Content-Type"] = "application/x-www-form-urlencoded"
        return try send("POST", path, headers: all, body: Data(body.utf8))
    }

    /// POST a form given as a dictionary.
    public func post(_ path: String, form: [String: String], withCSRF: Bool = true, headers: [String: String] = [:]) throws -> DeskHTTPResponse {
        try post(path, form: form.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, withCSRF: withCSRF, headers: headers)
    }

    /// Logs in through the login form (its CSRF token and cookie), then reads the session's CSRF token from /cases.
    /// Throws `DeskLoginFailed` unless the server answers 303 with a session cookie.
    @discardableResult
    public func login(name: String, password: String) throws -> DeskHTTPResponse {
        let form = try get("/login")
        guard let token = form.csrfToken else { throw DeskLoginFailed(status: form.status, body: form.body) }
        let answer = try post("/login", form: [("csrf", token), ("name", name), ("password", password), ("next", "/cases")], withCSRF: false)
        guard answer.status == 303, cookies["liaison_session"] != nil else { throw DeskLoginFailed(status: answer.status, body: answer.body) }
        _ = try get("/cases")
        return answer
    }

    /// `text` percent-encoded for a form or a path segment.
    public static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    public func send(_ method: String, _ path: String, headers: [String: String], body: Data?) throws -> DeskHTTPResponse {
        guard let host = base.host, let port = base.port else { throw DeskHTTPFailure("no host in \(base)") }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        if !cookies.isEmpty {
            request += "Cookie: " + cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") + "\r\n"
        }
        // English unless the test asks for another language.
        var all = ["Accept-Language": "en"]
        for (name, value) in headers { all[name] = value }
        for (name, value) in all.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        request += "Content-Length: \(body?.count ?? 0)\r\n\r\n"
        var bytes = Data(request.utf8)
        if let body { bytes.append(body) }
        let raw = try Self.exchange(bytes, host: host, port: port)
        let response = try Self.parse(raw)
        for line in response.setCookies {
            let pair = line.split(separator: ";").first.map(String.init) ?? ""
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]).trimmingCharacters(in: .whitespaces)
            let value = String(pair[pair.index(after: equals)...])
            if line.lowercased().contains("max-age=0") || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        if let token = response.csrfToken, !path.hasPrefix("/login") { csrfToken = token }
        return response
    }

    /// Sets or removes a cookie by hand (to test a forged or missing one).
    public func setCookie(_ name: String, _ value: String?) { cookies[name] = value }

    static func exchange(_ request: Data, host: String, port: Int) throws -> Data {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DeskHTTPFailure("socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw DeskHTTPFailure("cannot connect to \(host):\(port)") }
        try request.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw DeskHTTPFailure("send failed") }
                sent += n
            }
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        return received
    }

    static func parse(_ raw: Data) throws -> DeskHTTPResponse {
        guard let split = raw.range(of: Data("\r\n\r\n".utf8)) else { throw DeskHTTPFailure("no HTTP response") }
        let head = String(decoding: raw[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.hasPrefix("HTTP/1.1 "),
              let status = Int(statusLine.dropFirst(9).prefix(3)) else { throw DeskHTTPFailure("bad status line") }
        let headers = head.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Data(raw[split.upperBound...])
        if headers.contains(where: { $0.0 == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            var decoded = Data(), rest = body
            while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
                let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText, radix: 16), size > 0 else { break }
                let start = lineEnd.upperBound
                decoded.append(rest[start..<min(rest.endIndex, start + size)])
                rest = Data(rest[min(rest.endIndex, start + size + 2)...])
            }
            body = decoded
        }
        return DeskHTTPResponse(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }
}

/// Login over HTTP did not give a session.
public struct DeskLoginFailed: Error, CustomStringConvertible {
    public let status: Int
    public let body: String
    public var description: String { "login failed with HTTP \(status): \(body.prefix(300))" }
}

/// The HTTP exchange itself failed.
public struct DeskHTTPFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
