import TransportSecurity

/// Why an HTTPS fetch failed, in one sentence naming the URL; match on the static members.
///
/// ```swift
/// do { _ = try fetcher.fetch("https://example.com/.well-known/security.txt") }
/// catch let error where error == .tooLarge { … }
/// ```
public struct WebFetchError: Error, CustomStringConvertible, Equatable, Sendable {
    private enum Code: Equatable, Sendable {
        case notHTTPS, invalidURL, connection, timeout, certificate, caFile, tooLarge, redirectToOtherHost
        case tooManyRedirects, httpStatus, transfer
    }
    private let code: Code
    /// The sentence shown to the user.
    public let description: String
    /// The HTTP status, for `.httpStatus`.
    public let status: Int?

    private init(_ code: Code, _ description: String, status: Int? = nil) {
        self.code = code; self.description = description; self.status = status
    }

    public static func notHTTPS(_ url: String) -> WebFetchError { .init(.notHTTPS, "\(URLText.shown(url)) is not an https:// URL") }
    public static func invalidURL(_ url: String) -> WebFetchError { .init(.invalidURL, "\(URLText.shown(url)) is not a valid URL") }
    public static func connection(_ url: String, _ reason: String) -> WebFetchError { .init(.connection, "cannot connect for \(URLText.shown(url)): \(reason)") }
    public static func timeout(_ url: String, seconds: Double) -> WebFetchError {
        .init(.timeout, "\(URLText.shown(url)) did not answer within \(seconds.formatted()) s")
    }
    public static func certificate(_ url: String, _ reason: String) -> WebFetchError {
        .init(.certificate, "the certificate of \(URLText.shown(url)) is not trusted: \(reason)")
    }
    public static func caFile(_ path: String, _ reason: String) -> WebFetchError { .init(.caFile, "cannot use CA file \(path): \(reason)") }
    public static func tooLarge(_ url: String, limit: Int) -> WebFetchError {
        .init(.tooLarge, "\(URLText.shown(url)) is larger than the \(limit.formatted()) bytes allowed; refused")
    }
    public static func redirectToOtherHost(_ url: String, to target: String) -> WebFetchError {
        .init(.redirectToOtherHost, "\(URLText.shown(url)) redirects to another host (\(URLText.shown(target))); refused")
    }
    public static func tooManyRedirects(_ url: String) -> WebFetchError { .init(.tooManyRedirects, "\(URLText.shown(url)) redirects too many times") }
    public static func httpStatus(_ url: String, _ status: Int) -> WebFetchError {
        .init(.httpStatus, "\(URLText.shown(url)) answered HTTP \(status)", status: status)
    }
    public static func transfer(_ url: String, _ reason: String) -> WebFetchError { .init(.transfer, "fetching \(URLText.shown(url)) failed: \(reason)") }

    /// Same kind of failure, whatever the URL.
    public static func == (a: WebFetchError, b: WebFetchError) -> Bool { a.code == b.code }
    public static let tooLarge = WebFetchError.tooLarge("", limit: 0)
    public static let redirectToOtherHost = WebFetchError.redirectToOtherHost("", to: "")
    public static let timeout = WebFetchError.timeout("", seconds: 0)
    public static let certificate = WebFetchError.certificate("", "")
    public static let notHTTPS = WebFetchError.notHTTPS("")
    public static let httpStatus = WebFetchError.httpStatus("", 0)
    public static let connection = WebFetchError.connection("", "")
}
