import Hummingbird

/// Chooses the page language: `?lang=ja|en` (then remembered in the `liaison_lang` cookie), else that cookie, else
/// the browser's `Accept-Language`, else English.
struct DeskLanguageMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext
    let secureCookies: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let asked = request.uri.queryParameters["lang"].flatMap { DeskLanguage(rawValue: String($0)) }
        context.language = Self.language(for: request)
        var response = try await next(request, context)
        if let asked, request.cookies[Desk.languageCookie]?.value != asked.rawValue {
            response.setCookie(Cookie(name: Desk.languageCookie, value: asked.rawValue, maxAge: 365 * 86_400, path: "/",
                                      secure: secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// The language of `request`'s page: `?lang=`, else the cookie, else `Accept-Language`, else English.
    static func language(for request: Request) -> DeskLanguage {
        if let asked = request.uri.queryParameters["lang"].flatMap({ DeskLanguage(rawValue: String($0)) }) { return asked }
        if let remembered = request.cookies[Desk.languageCookie].flatMap({ DeskLanguage(rawValue: $0.value) }) { return remembered }
        if let header = request.headers[.acceptLanguage], let preferred = DeskLanguage.preferred(acceptLanguage: header) { return preferred }
        return .en
    }
}
