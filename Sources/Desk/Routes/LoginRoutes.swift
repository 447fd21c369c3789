import Foundation
import Hummingbird
import Registry

/// `GET /login` (the form), `POST /login` (checks the name and password, starts a session) and `POST /logout`.
///
/// The login form carries its own CSRF token, the same as in the `liaison_login` cookie (there is no session yet),
/// and one this desk issued (`Desk.loginToken`: a nonce and its HMAC). Failed logins are counted per user name (5 in
/// 15 minutes) and per client address (30; `LoginThrottle`); past that, a login is refused with 429 before the
/// password is even checked.
enum LoginRoutes {
    struct LoginPage: DeskPage {
        static let template = DeskTemplates.login
        static let section = DeskSection.none
        let title: String
        let csrf: String
        let next: String
        let name: String?
        let error: String?
    }

    static func register(on router: DeskRouter, desk: Desk) {
        router.get("/login") { request, context -> Response in
            let next = DeskRoutes.localPath(request.uri.queryParameters["next"].map(String.init)) ?? "/cases"
            if context.user != nil { return DeskRenderer.redirect(to: next) }
            return try loginForm(desk: desk, context: context, next: next, name: nil, error: nil, status: .ok,
                                 token: request.cookies[Desk.loginCookie]?.value)
        }

        router.post("/login") { request, context -> Response in
            var request = request
            let form = try await DeskForm.read(from: &request)
            let next = DeskRoutes.localPath(form["next"]) ?? "/cases"
            let labels = context.labels
            guard let expected = request.cookies[Desk.loginCookie]?.value, let sent = form["csrf"],
                  DeskSessions.sameSecret(sent, expected), desk.isLoginToken(sent) else {
                // A browser drops a Secure cookie it received over plain HTTP: say so, not "expired".
                let overPlainHTTP = desk.secureCookies && request.cookies[Desk.loginCookie] == nil
                    && request.headers[.xForwardedProto]?.lowercased() != "https"
                return try loginForm(desk: desk, context: context, next: next, name: form["name"],
                                     error: overPlainHTTP ? labels["login_secure_cookies"] : labels["login_expired"], status: .forbidden)
            }
            let name = form["name"] ?? ""
            let password = form.fields["password"]?.first ?? ""
            let address = desk.clientAddress(request, context: context)
            guard desk.throttle.allows(userName: name, address: address) else {
                desk.logger.warning("login refused: too many failures", metadata: ["user": "\(name)", "address": "\(address)"])
                var refused = try loginForm(desk: desk, context: context, next: next, name: name, error: labels["login_throttled"],
                                            status: .tooManyRequests)
                refused.headers[.retryAfter] = "900"
                return refused
            }
            let user = try? desk.services.store.users.user(named: name)
            // A missing user costs a bcrypt check too, so that timing does not tell which names exist.
            let matches = await Desk.verifyPassword(password, hash: user?.passwordHash ?? Self.decoyHash)
            guard let user, matches, !user.disabled else {
                desk.throttle.recordFailure(userName: name, address: address)
                desk.logger.notice("login failed", metadata: ["user": "\(name)", "address": "\(address)"])
                return try loginForm(desk: desk, context: context, next: next, name: name, error: labels["login_failed"], status: .unauthorized)
            }
            if let old = context.sessionId { desk.sessions.end(old) }
            let session = desk.sessions.start(userName: user.name)
            var response = DeskRenderer.redirect(to: next)
            response.setCookie(desk.cookie(Desk.sessionCookie, session.id))
            response.setCookie(desk.cookie(Desk.loginCookie, "", maxAge: 0, path: "/login"))
            return response
        }

        router.post("/logout") { _, context -> Response in
            if let id = context.sessionId { desk.sessions.end(id) }
            var response = DeskRenderer.redirect(to: "/login")
            response.setCookie(desk.cookie(Desk.sessionCookie, "", maxAge: 0))
            return response
        }

        router.get("/") { _, _ in DeskRenderer.redirect(to: "/cases") }
    }

    /// The login form with its CSRF token in the form and in the `liaison_login` cookie: the browser's current one
    /// when it has one (two tabs, or a second request such as the favicon's, keep working), else a fresh one.
    static func loginForm(desk: Desk, context: DeskRequestContext, next: String, name: String?, error: String?,
                          status: HTTPResponse.Status, token existing: String? = nil) throws -> Response {
        let token = existing.flatMap { desk.isLoginToken($0) ? $0 : nil } ?? desk.loginToken()
        let page = LoginPage(title: context.labels["login_title"] ?? "Log in", csrf: token, next: next, name: name, error: error)
        let html = try desk.renderer.html(page, context: context, notice: nil, path: "/login", query: nil)
        var response = DeskRenderer.htmlResponse(html, status: status)
        response.setCookie(desk.cookie(Desk.loginCookie, token, maxAge: 3600, path: "/login"))
        return response
    }

    /// A bcrypt hash of no one's password, checked when the user does not exist.
    static let decoyHash = Desk.hashPassword(DeskSessions.randomToken(), cost: 12)
}
