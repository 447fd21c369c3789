import Foundation
import Hummingbird
import NIOCore
import Registry

/// The request context of every desk route: who is logged in, the session's CSRF token, the page language and the
/// client's address. `DeskSessionMiddleware` fills `user` and `csrfToken` before any route in the session area runs,
/// so a route there can rely on them (`requireUser()`); in the public area (/login, /static/*, /answer/*,
/// /api/v1/answer/*, /api/v1/openapi.json) they are nil.
///
/// ```swift
/// router.get("/cases") { request, context in
///     let user = try context.requireUser()        // DeskUser: name, role
///     let actor = user.name                       // what events name
///     let token = context.csrfToken               // for a form's hidden field `csrf`
///     let words = context.labels                  // labels in the page's language
/// }
/// ```
public struct DeskRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The logged-in user of this request's session; nil in the public area or without a session.
    public var user: DeskUser?
    /// The session's CSRF token: a form carries it in the hidden field `csrf`, a fetch in the `X-CSRF-Token` header.
    public var csrfToken: String?
    /// The session's id (the cookie's value), for logout and one-time notices.
    public var sessionId: String?
    /// The page language: `?lang=`, else the `liaison_lang` cookie, else `Accept-Language`, else English.
    public var language: DeskLanguage = .en
    /// The submitted form of a POST in the session area (read and CSRF-checked by the middleware); empty otherwise.
    public var form = DeskForm()
    /// The peer's IP address as seen by the server (behind a reverse proxy: the proxy's), for login throttling.
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The logged-in user; throws 401 when there is none (a route of the session area never sees that: the
    /// middleware redirects to /login first).
    public func requireUser() throws -> DeskUser {
        guard let user else { throw HTTPError(.unauthorized) }
        return user
    }

    /// The logged-in user when their role may change records; 403 for an auditor.
    public func requireChanger() throws -> DeskUser {
        let user = try requireUser()
        guard user.role.mayChange else { throw HTTPError(.forbidden, message: "auditors read only: this change was refused") }
        return user
    }

    /// The labels of the page language (`DeskLabels`).
    public var labels: [String: String] { DeskLabels.table(for: language) }
}

/// A logged-in member of the team.
public struct DeskUser: Sendable, Codable, Equatable {
    /// The user name, which the audit log names as the actor of everything they do.
    public let name: String
    public let role: UserRole

    public init(name: String, role: UserRole) { self.name = name; self.role = role }
}

/// The languages of the desk's labels.
public enum DeskLanguage: String, Sendable, Codable, CaseIterable {
    case en, ja

    /// The first of `en` and `ja` an `Accept-Language` header prefers (q-values honoured), else nil.
    public static func preferred(acceptLanguage header: String) -> DeskLanguage? {
        var best: (DeskLanguage, Double)?
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = fields.first?.lowercased() else { continue }
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let language: DeskLanguage? = tag.hasPrefix("ja") ? .ja : tag.hasPrefix("en") ? .en : nil
            if let language, q > 0, q > (best?.1 ?? -1) { best = (language, q) }
        }
        return best?.0
    }
}
