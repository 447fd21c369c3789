import Foundation
import Gateway
import Hummingbird
import HummingbirdBcrypt
import Logging
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

    /// The name of the session cookie.
    public static let sessionCookie = "liaison_session"
    /// The name of the cookie keeping the chosen language.
    public static let languageCookie = "liaison_lang"
    /// The name of the cookie carrying the login form's CSRF token (before any session exists).
    public static let loginCookie = "liaison_login"

    /// - Parameters:
    ///   - services: the workspace's services (their actor is replaced by each request's user).
    ///   - secureCookies: mark cookies `Secure`; see `WorkspaceConfiguration.Desk.secureCookies`.
    public init(services: WorkspaceServices, secureCookies: Bool, logger: Logger = Logger(label: "liaison.desk")) {
        self.services = services
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

    /// The users of the workspace, changes recorded as `actor`.
    public func users(actor: String) -> UserStore { services.store.users(actor: actor) }

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

    /// A cookie of the desk: HttpOnly, SameSite=Strict, Path=/, Secure when `secureCookies`.
    func cookie(_ name: String, _ value: String, maxAge: Int? = nil, path: String = "/") -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secureCookies, httpOnly: true, sameSite: .strict)
    }
}
