import Foundation
import Gateway
import Hummingbird
import HummingbirdBcrypt
import Logging
import Crypto
import NIOPosix
import Registry

/// The team's desk over one workspace: its services, sessions, login throttle and renderer, and the router with
/// every page. One instance serves every request.
///
/// Adding a page area is one file in Sources/Desk/Routes/ with a `register` function, plus one line in
/// `DeskRoutes.registerAll`:
///
/// ```swift
/// enum InboxRoutes {
///     static func register(on router: Router<DeskRequestContext>, desk: Desk) {
///         router.page("/inbox", desk: desk) { request, context in      // GET /inbox and GET /api/inbox
///             try InboxPage(desk.services(for: context), context: context)
///         }
///         router.action("/inbox/{id}/dismiss", desk: desk) { request, context, form in   // POST, CSRF-checked
///             let services = try desk.services(for: context)             // acts as the desk user
///             …
///             return DeskOutcome("dismissed", redirect: "/inbox")
///         }
///     }
/// }
/// ```
public final class Desk: Sendable {
    /// The workspace's services; `services(for:)` gives them acting for a request's user.
    public let services: WorkspaceServices
    public let sessions: DeskSessions
    public let throttle: LoginThrottle
    /// Whether cookies are marked `Secure` (HTTPS only).
    public let secureCookies: Bool
    public let renderer: DeskRenderer
    public let logger: Logger
    /// The reverse proxies whose `X-Forwarded-For` names the client (`desk.trusted_proxies`).
    public let trustedProxies: Set<String>
    /// The key of the login form's CSRF tokens, drawn when the desk starts: a token is a nonce and its HMAC, so
    /// only a token this desk issued is accepted (an attacker cannot choose the cookie and the field).
    let loginKey = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }

    /// The name of the session cookie.
    public static let sessionCookie = "liaison_session"
    /// The name of the cookie keeping the chosen language.
    public static let languageCookie = "liaison_lang"
    /// The name of the cookie carrying the login form's CSRF token (before any session exists).
    public static let loginCookie = "liaison_login"

    /// - Parameters:
    ///   - services: the workspace's services (their actor is replaced by each request's user).
    ///   - secureCookies: mark cookies `Secure`; see `WorkspaceConfiguration.Desk.secureCookies`.
    ///   - trustedProxies: addresses of reverse proxies whose `X-Forwarded-For` is believed.
    public init(services: WorkspaceServices, secureCookies: Bool, trustedProxies: [String] = [],
                logger: Logger = Logger(label: "liaison.desk")) {
        self.services = services
        self.trustedProxies = Set(trustedProxies)
        self.secureCookies = secureCookies
        self.sessions = DeskSessions()
        self.throttle = LoginThrottle()
        self.renderer = DeskRenderer()
        self.logger = logger
    }

    /// The services acting as the request's user: every event they write names that user. Throws 401 without one.
    public func services(for context: DeskRequestContext) throws -> WorkspaceServices {
        services.acting(as: try context.requireUser().name)
    }

    /// The users of the workspace.
    public var users: any UserStoring { services.store.users }

    /// The router with the desk's middleware and every route.
    /// `HEAD` is answered on every `GET` route; a path served with other methods answers 405 with `Allow`.
    public func makeRouter() -> Router<DeskRequestContext> {
        let router = Router(context: DeskRequestContext.self, options: .autoGenerateHeadEndpoints)
        let errors = DeskErrorMiddleware(desk: self)
        router.add(middleware: errors)
        router.add(middleware: DeskLanguageMiddleware(secureCookies: secureCookies))
        router.add(middleware: DeskSessionMiddleware(desk: self))
        let routes = DeskRouter(router)
        DeskRoutes.registerAll(on: routes, desk: self)
        errors.methods.set(routes.allowedMethods())
        return router
    }

    /// A bcrypt hash of `password` (cost 12 by default: about a quarter of a second here, slow for a guesser).
    public static func hashPassword(_ password: String, cost: UInt8 = 12) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Checks a password against a stored bcrypt hash, off the event loops (bcrypt takes a while on purpose).
    static func verifyPassword(_ password: String, hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }

    /// The shortest password `user add` accepts.
    public static let minimumPasswordLength = 12

    /// Why `password` is refused, or nil: empty, shorter than 12 characters, or more than one line.
    public static func passwordProblem(_ password: String) -> String? {
        if password.isEmpty { return "the password is empty: type it on standard input, one line" }
        if password.count < minimumPasswordLength {
            return "the password is too short: at least \(minimumPasswordLength) characters"
        }
        if password.utf8.count > 72 { return "the password is longer than bcrypt's 72 bytes" }
        return nil
    }

    /// A new CSRF token of the login form: 32 random bytes and their HMAC-SHA256 under `loginKey`, base64url,
    /// joined by `.`.
    func loginToken() -> String {
        let nonce = DeskSessions.randomToken()
        return nonce + "." + loginMAC(nonce)
    }

    /// Whether `token` is one `loginToken()` issued (since this desk started).
    func isLoginToken(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 43 else { return false }
        return DeskSessions.sameSecret(String(parts[1]), loginMAC(String(parts[0])))
    }

    private func loginMAC(_ nonce: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(nonce.utf8), using: SymmetricKey(data: loginKey))
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The client's address for the login throttle: the peer's, unless the peer is a trusted proxy, then the last
    /// address of `X-Forwarded-For` that is not a trusted proxy (the one the nearest trusted proxy saw).
    func clientAddress(_ request: Request, context: DeskRequestContext) -> String {
        let peer = context.clientAddress
        guard trustedProxies.contains(peer), let header = request.headers[values: .xForwardedFor].joined(separator: ",") as String?,
              !header.isEmpty else { return peer }
        let hops = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) } ?? peer
    }

    /// A cookie of the desk: HttpOnly, SameSite=Strict, Path=/, Secure when `secureCookies`.
    func cookie(_ name: String, _ value: String, maxAge: Int? = nil, path: String = "/") -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secureCookies, httpOnly: true, sameSite: .strict)
    }
}
