import Foundation
import Hummingbird
import Registry

/// What an action did, shown once at the top of the next page, and where the browser goes next.
public struct DeskOutcome: Sendable {
    public let notice: String
    /// A local path; nil: the form's `return_to` field, else `/cases`.
    public let redirect: String?
    public init(_ notice: String, redirect: String? = nil) { self.notice = notice; self.redirect = redirect }
}

extension RouterMethods where Context == DeskRequestContext {
    /// Registers a page: `GET path` renders the model as HTML in the layout, `GET /api<path>` encodes the same model
    /// as JSON. `build` runs for both; inside it `context.user` is the logged-in user.
    @discardableResult
    public func page<Page: DeskPage>(_ path: String, desk: Desk,
                                     _ build: @escaping @Sendable (Request, DeskRequestContext) async throws -> Page) -> Self {
        get(RouterPath(path)) { request, context -> Response in
            let page = try await build(request, context)
            let notice = context.sessionId.flatMap { desk.sessions.takeNotice(for: $0) }
            let body = try desk.renderer.body(page, context: context, notice: notice, path: request.uri.path, query: request.uri.query)
            return DeskRenderer.htmlResponse(body)
        }
        get(RouterPath("/api" + path)) { request, context -> Response in
            try DeskRenderer.json(try await build(request, context))
        }
        return self
    }

    /// Registers an action: `POST path` from a form (CSRF token and role already checked by the middleware) runs
    /// `perform` and answers 303 to the outcome's page, its notice shown there once; a refusal (any error thrown)
    /// is shown the same way as one line, and nothing changed. `POST /api<path>` runs the same for a script
    /// (`X-CSRF-Token` header, URL-encoded or JSON body) and answers `{"ok":true,"notice":…}` or 400
    /// `{"ok":false,"error":…}`.
    @discardableResult
    public func action(_ path: String, desk: Desk,
                       _ perform: @escaping @Sendable (Request, DeskRequestContext, DeskForm) async throws -> DeskOutcome) -> Self {
        post(RouterPath(path)) { request, context -> Response in
            _ = try context.requireChanger()
            let back = DeskRoutes.localPath(context.form["return_to"]) ?? "/cases"
            do {
                let outcome = try await perform(request, context, context.form)
                if let id = context.sessionId { desk.sessions.setNotice(DeskNotice(outcome.notice), for: id) }
                return DeskRenderer.redirect(to: outcome.redirect ?? back)
            } catch let error as HTTPError {
                throw error
            } catch {
                if let id = context.sessionId { desk.sessions.setNotice(DeskNotice(DeskRoutes.line(for: error), isError: true), for: id) }
                return DeskRenderer.redirect(to: back)
            }
        }
        post(RouterPath("/api" + path)) { request, context -> Response in
            _ = try context.requireChanger()
            do {
                let outcome = try await perform(request, context, context.form)
                return try DeskRenderer.json(DeskActionAnswer(ok: true, notice: outcome.notice, error: nil))
            } catch let error as HTTPError {
                throw error
            } catch {
                return try DeskRenderer.json(DeskActionAnswer(ok: false, notice: nil, error: DeskRoutes.line(for: error)), status: .badRequest)
            }
        }
        return self
    }
}

/// The JSON answer of an action's `/api` route.
struct DeskActionAnswer: Encodable {
    let ok: Bool
    let notice: String?
    let error: String?
}
