import HTTPTypes
import Hummingbird

/// Headers on every response, errors included: a strict Content-Security-Policy (scripts and styles only from the
/// desk itself, no inline script, no framing), `nosniff`, no Referer ever (an answer link's token must not leak to
/// another site), and `no-store` for everything but the static files.
struct DeskSecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext

    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.xFrameOptions] = "DENY"
        if response.headers[.cacheControl] == nil || !request.uri.path.hasPrefix("/static/") {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    /// The CSRF token of a script's request.
    public static let xCSRFToken = HTTPField.Name("X-CSRF-Token")!
}
