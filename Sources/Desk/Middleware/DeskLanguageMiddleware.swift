import Hummingbird

/// Chooses the page language: `?lang=ja|en` (then remembered in the `liaison_lang` cookie), else that cookie, else
/// the browser's `Accept-Language`, else English.
struct DeskLanguageMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext
    let secureCookies: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let asked = request.uri.queryParameters["lang"].flatMap { DeskLanguage(rawValue: String($0)) }
        if let asked {
            context.language = asked
        } else if let remembered = request.cookies[Desk.languageCookie].flatMap({ DeskLanguage(rawValue: $0.value) }) {
            context.language = remembered
        } else if let header = request.headers[.acceptLanguage], let preferred = DeskLanguage.preferred(acceptLanguage: header) {
            context.language = preferred
        }
        var response = try await next(request, context)
        if let asked, request.cookies[Desk.languageCookie]?.value != asked.rawValue {
            response.setCookie(Cookie(name: Desk.languageCookie, value: asked.rawValue, maxAge: 365 * 86_400, path: "/",
                                      secure: secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }
}
