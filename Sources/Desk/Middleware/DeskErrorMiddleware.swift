import Foundation
import Gateway
import HTTPTypes
@_spi(Internal) import Hummingbird
import HummingbirdCore
import Registry
import Synchronization

/// The desk's edge and its one error path, the outermost middleware.
///
/// Before any route: every path segment and the query must be percent-encoded UTF-8 without control characters
/// (400 otherwise, naming the segment), so that no id holding a NUL reaches a record.
///
/// Whatever a route or middleware throws is answered here, the same way for every cause: an unknown case,
/// organisation or message → 404 with its line (`no case X`); a path served with other methods → 405 with
/// `Allow`; a refusal of the store or a workflow, or a form not understood → 400; a body over the limit → 413;
/// anything else → 500, logged as one line. Outside `/api` the answer is a desk page in the layout with that one
/// line; under `/api` it is `{"error":{"message":…}}`. Every answer, errors included, carries the security headers:
/// a strict Content-Security-Policy (scripts and styles only from the desk itself, no inline script, no framing),
/// `nosniff`, `X-Frame-Options: DENY`, no Referer ever (an answer link's token must not leak to another site), and
/// `no-store` for everything but the static files.
struct DeskErrorMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext
    let desk: Desk
    /// The methods of every path, set once the routes are registered.
    let methods = DeskRouteTable()

    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// The longest line an error answer shows (a list of 50,000 unknown names is cut, its length said).
    static let longestLine = 1000

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            try Self.checkPath(request.uri)
            response = try await next(request, context)
        } catch {
            response = answer(error, request: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.xFrameOptions] = "DENY"
        if response.headers[.cacheControl] == nil || !request.uri.path.hasPrefix("/static/") || response.status.code >= 400 {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }

    /// Refuses a path or query that is not percent-encoded UTF-8 or that holds a control character.
    static func checkPath(_ uri: URI) throws {
        for segment in uri.path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let decoded = String(segment).removingPercentEncoding else {
                throw DeskEdgeError(.badRequest, "the path segment \(cut(String(segment), to: 80)) is not percent-encoded UTF-8")
            }
            if let bad = VisibleText.forbiddenControl(in: decoded) {
                throw DeskEdgeError(.badRequest, "the path segment \(cut(VisibleText.visible(decoded), to: 80)) contains the control character \(VisibleText.name(of: bad))")
            }
        }
        if let query = uri.query, !query.isEmpty {
            let form = DeskForm(urlEncoded: query)
            do {
                try form.refuseControlCharacters()
            } catch let error as DeskFormError {
                throw DeskEdgeError(.badRequest, "the query's " + error.description)
            }
        }
    }

    /// The answer to `error`: its status, one line, a page or JSON.
    func answer(_ error: any Error, request: Request, context: Context) -> Response {
        // An error that renders itself (the answer form's refusals, in the vendor's language) keeps its answer.
        if let error = error as? any HTTPResponseError, !(error is HTTPError),
           let response = try? error.response(from: request, context: context) {
            return response
        }
        var (status, line, headers) = classify(error, request: request)
        line = Self.cut(line, to: Self.longestLine)
        if status == .internalServerError {
            desk.logger.error("request failed", metadata: ["method": "\(request.method.rawValue)", "path": "\(VisibleText.visible(request.uri.path))",
                                                          "error": "\(VisibleText.visible(String(describing: error)))"])
        }
        var response: Response
        if request.uri.path == "/api" || request.uri.path.hasPrefix("/api/") {
            response = (try? DeskRenderer.json(DeskErrorAnswer(error: .init(message: line)), status: status))
                ?? Response(status: status)
        } else {
            response = page(status: status, line: line, request: request, context: context)
        }
        for field in headers { response.headers.append(field) }
        return response
    }

    /// Status, line and extra headers for `error`.
    func classify(_ error: any Error, request: Request) -> (HTTPResponse.Status, String, HTTPFields) {
        let path = VisibleText.visible(request.uri.path.removingPercentEncoding ?? request.uri.path)
        switch error {
        case let error as DeskEdgeError:
            return (error.status, error.line, [:])
        case let error as DeskFormError:
            return (error.status, error.description, [:])
        case let error as HTTPError:
            if error.status == .notFound && error.body == nil, let allowed = methods.allowed(request.uri.path) {
                return (.methodNotAllowed, "\(request.method.rawValue) is not answered at \(path): use \(allowed.joined(separator: ", "))",
                        [.allow: allowed.joined(separator: ", ")])
            }
            if error.status == .badRequest, let body = error.body, body.hasPrefix("Parameter '") || body.hasPrefix("One of the parameters") {
                // A path parameter of the wrong kind (`/outbox/abc`): no such page.
                return (.notFound, "no page at \(path)", [:])
            }
            if let body = error.body, !body.isEmpty { return (error.status, body, error.headers) }
            return (error.status, Self.defaultLine(error.status, path: path), error.headers)
        case let error as StoreError where error == .unknownCase || error == .unknownOrganization:
            return (.notFound, error.description, [:])
        case let error as GatewayError where error.isSameKind(as: .unknownCase("")) || error.isSameKind(as: .unknownOrganization("")):
            return (.notFound, error.description, [:])
        case is StoreError, is GatewayError, is GatewayProblems:
            return (.badRequest, DeskRoutes.line(for: error), [:])
        default:
            if let explained = RegistryStore.explain(error) { return (.serviceUnavailable, explained, [:]) }
            return (.internalServerError, "the desk could not answer this request (the error was logged)", [:])
        }
    }

    static func defaultLine(_ status: HTTPResponse.Status, path: String) -> String {
        switch status {
        case .notFound: return "no page at \(path)"
        case .unauthorized: return "log in first: this needs a session of the desk"
        case .forbidden: return "this was refused"
        case .contentTooLarge: return "the request is larger than the desk accepts"
        default: return status.reasonPhrase
        }
    }

    /// The error as a desk page: the layout (with the navigation when a session is open), the page language, one line.
    func page(status: HTTPResponse.Status, line: String, request: Request, context: Context) -> Response {
        var context = context
        context.language = DeskLanguageMiddleware.language(for: request)
        if context.user == nil, let id = request.cookies[Desk.sessionCookie]?.value, let session = desk.sessions.touch(id),
           let user = try? desk.services.store.users.user(named: session.userName), !user.disabled {
            context.user = DeskUser(name: user.name, role: user.role)
            context.csrfToken = session.csrfToken
        }
        let labels = context.labels
        let title = labels["error_\(status.code)"] ?? labels["error_title"] ?? "Error"
        let page = DeskErrorPage(title: "\(status.code) · \(title)", line: line)
        guard let body = try? desk.renderer.body(page, context: context, notice: nil, path: request.uri.path, query: request.uri.query) else {
            return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: line + "\n")))
        }
        return DeskRenderer.htmlResponse(body, status: status)
    }

    /// `text` cut to `limit` characters, saying how much was left out.
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + " … (\(text.count - limit) more characters)"
    }
}

/// A request refused at the desk's edge, before any route.
struct DeskEdgeError: Error, CustomStringConvertible {
    let status: HTTPResponse.Status
    let line: String
    init(_ status: HTTPResponse.Status, _ line: String) { self.status = status; self.line = line }
    var description: String { line }
}

/// The JSON of an error under `/api`: `{"error":{"message":"no case JVNVU#1"}}`.
struct DeskErrorAnswer: Encodable {
    struct Message: Encodable { let message: String }
    let error: Message
}

/// The page of an error: its status in the title, one line.
struct DeskErrorPage: DeskPage {
    static let template = DeskTemplates.error
    static let section = DeskSection.none
    let title: String
    let line: String
}

/// The methods of every path of the desk, for 405.
final class DeskRouteTable: Sendable {
    private let trie = Mutex<RouterTrie<DeskAllowedMethods>?>(nil)
    func set(_ value: RouterTrie<DeskAllowedMethods>) { trie.withLock { $0 = value } }
    /// The methods served at `path`, or nil when none is.
    func allowed(_ path: String) -> [String]? {
        guard let methods = trie.withLock({ $0?.resolve(path)?.value }) else { return nil }
        let list = methods.list
        return list.isEmpty ? nil : list
    }
}

extension DeskTemplates {
    static let error = DeskTemplate("error", """
        {{<layout}}{{$content}}
        <h1>{{title}}</h1>
        <p class="notice error" id="error-line">{{page.line}}</p>
        {{/content}}{{/layout}}
        """)
}

extension HTTPField.Name {
    static let allow = HTTPField.Name("Allow")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
