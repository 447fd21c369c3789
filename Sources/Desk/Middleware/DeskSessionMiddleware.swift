import Foundation
import Hummingbird
import Registry

/// The session area's guard. For every request: the session cookie is looked up and its user re-read from the
/// store (a disabled or removed user's sessions end at once). Outside the public area
/// (`DeskSessionMiddleware.isPublic`) it then requires:
/// - a session: a page (GET) without one is redirected to `/login?next=…`, anything else gets 401;
/// - on every request but GET and HEAD, the session's CSRF token in the form field `csrf` or the `X-CSRF-Token`
///   header (403 without it), and a role that may change (403 for an auditor).
///
/// The public area: `/login`, `/static/*`, `/answer/*`, `/api/v1/answer/*`, `/api/v1/openapi.json` and `/favicon.ico`.
struct DeskSessionMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext
    let desk: Desk

    /// Whether `path` is served without a session.
    static func isPublic(_ path: String) -> Bool {
        path == "/login" || path.hasPrefix("/static/") || path.hasPrefix("/answer/") || path.hasPrefix("/api/v1/answer/")
            || path == "/api/v1/openapi.json" || path == "/favicon.ico"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        if let id = request.cookies[Desk.sessionCookie]?.value, let session = desk.sessions.touch(id) {
            if let user = try? desk.services.store.users.user(named: session.userName), !user.disabled {
                context.user = DeskUser(name: user.name, role: user.role)
                context.csrfToken = session.csrfToken
                context.sessionId = session.id
            } else {
                desk.sessions.end(id)
            }
        }
        let path = request.uri.path
        if Self.isPublic(path) { return try await next(request, context) }
        guard let user = context.user, let token = context.csrfToken else {
            if request.method == .get && !path.hasPrefix("/api/") {
                let target = path + (request.uri.query.map { "?" + $0 } ?? "")
                let next = target == "/" ? "" : "?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
                return DeskRenderer.redirect(to: "/login" + next)
            }
            throw HTTPError(.unauthorized, message: "log in first: this needs a session of the desk")
        }
        if request.method != .get && request.method != .head {
            let form = try await DeskForm.read(from: &request)
            let sent = request.headers[.xCSRFToken] ?? form["csrf"] ?? ""
            guard DeskSessions.sameSecret(sent, token) else {
                throw HTTPError(.forbidden, message: "the form's CSRF token is missing or wrong: reload the page and try again")
            }
            guard user.role.mayChange || path == "/logout" else {
                throw HTTPError(.forbidden, message: "auditors read only: this change was refused")
            }
            context.form = form
        }
        return try await next(request, context)
    }
}
