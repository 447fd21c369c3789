import Foundation
import Gateway
import Hummingbird
import Registry

/// The vendors' answer form and API, served without login (the token in the path is the credential):
///
/// - `GET /answer/{token}`: the form — the case as the notification told it (id, title, TLP, due date), the
///   vendor's current answer, rows of products, and an upload of a VEX document;
/// - `POST /answer/{token}`: the form sent (URL-encoded, at most 1 MB, CSRF nonce bound to the token);
/// - `POST /answer/{token}/document`: a VEX document uploaded (multipart, at most 5 MB), shown back for confirmation;
/// - `POST /answer/{token}/confirm`: the confirmed document recorded;
/// - `GET|POST /api/v1/answer/{token}` and `POST /api/v1/answer/{token}/document`: the same as JSON
///   (`AnswerAPI.openAPI`, served at `/api/v1/openapi.json`);
/// - `/static/answer.js`: the form's script (adds a row; the form works without it).
///
/// A tampered, unknown, expired or revoked token gets one refusal, 404 with the same page (or JSON) for all.
/// Submissions are limited per token and per client address (429).
enum AnswerRoutes {
    /// Largest form or JSON body, 1 MB.
    static let maximumBody = 1 << 20

    static func register(on router: DeskRouter, desk: Desk) {
        let answers: AnswerDesk
        do {
            answers = try AnswerDesk(services: desk.services)
        } catch {
            desk.logger.error("the answer form is off: \(error)")
            return
        }
        router.get("/static/answer.js") { _, _ in StaticRoutes.file(AnswerScript.js, type: "text/javascript; charset=utf-8") }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: AnswerAPI.openAPI)))
        }

        router.get("/answer/{token}") { request, context in
            guard let access = try admitted(request, context, answers, desk: desk, counting: false) else {
                return try refusal(context, html: true)
            }
            let saved = request.uri.queryParameters["saved"] != nil
            let page = try AnswerFormPage(access: access, answers: answers, desk: desk, context: context, saved: saved)
            return try render(AnswerFormPage.template, page, context: context, request: request)
        }

        router.post("/answer/{token}") { request, context in
            guard let access = try admitted(request, context, answers, desk: desk, counting: true) else {
                return try refusal(context, html: true)
            }
            guard let form = await readForm(request) else { return try problemPage(.contentTooLarge, context: context) }
            var page = try AnswerFormPage(access: access, answers: answers, desk: desk, context: context, saved: false)
            page.keep(form, labels: labels(context))
            guard answers.acceptsCSRF(form["csrf"], token: access.token) else {
                page.notice = labels(context)["expired_form"]
                return try render(AnswerFormPage.template, page, context: context, request: request, status: .forbidden)
            }
            if form["add_row"] != nil {
                page.addRow(labels: labels(context))
                return try render(AnswerFormPage.template, page, context: context, request: request)
            }
            do {
                let submission = try AnswerFormPage.submission(from: form)
                try answers.recorder.record(access, submission: submission, via: .form)
            } catch let error as GatewayError {
                page.errors = error.description.split(separator: "\n").map(String.init)
                page.hasErrors = true
                return try render(AnswerFormPage.template, page, context: context, request: request, status: .unprocessableContent)
            }
            return DeskRenderer.redirect(to: "/answer/\(access.token)?saved=1")
        }

        router.post("/answer/{token}/document") { request, context in
            guard let access = try admitted(request, context, answers, desk: desk, counting: true) else {
                return try refusal(context, html: true)
            }
            // The document may be 5 MB; the multipart framing and the CSRF field a little more.
            let limit = AnswerRecorder.maximumDocumentBytes + 64 * 1024
            guard let body = await readBody(request, limit: limit) else { return try problemPage(.contentTooLarge, context: context) }
            var page = try AnswerFormPage(access: access, answers: answers, desk: desk, context: context, saved: false)
            guard let boundary = MultipartFormData.boundary(contentType: request.headers[.contentType] ?? ""),
                  let form = MultipartFormData(body: body, boundary: boundary) else {
                page.errors = ["document: send the file from the form (multipart/form-data)"]
                page.hasErrors = true
                return try render(AnswerFormPage.template, page, context: context, request: request, status: .badRequest)
            }
            guard answers.acceptsCSRF(form.text("csrf"), token: access.token) else {
                page.notice = labels(context)["expired_form"]
                return try render(AnswerFormPage.template, page, context: context, request: request, status: .forbidden)
            }
            guard let file = form.part("document"), !file.data.isEmpty else {
                page.errors = ["document: choose a file"]
                page.hasErrors = true
                return try render(AnswerFormPage.template, page, context: context, request: request, status: .unprocessableContent)
            }
            if file.data.count > AnswerRecorder.maximumDocumentBytes { return try problemPage(.contentTooLarge, context: context) }
            do {
                let read = try AnswerRecorder.read(document: file.data, filename: file.filename, caseId: access.caseId)
                let id = answers.uploads.keep(.init(token: access.token, read: read, statement: nil, contact: nil, at: Date()))
                let confirm = AnswerConfirmPage(access: access, read: read, upload: id, answers: answers, desk: desk, context: context)
                return try render(AnswerConfirmPage.template, confirm, context: context, request: request)
            } catch let error as GatewayError {
                page.errors = error.description.split(separator: "\n").map(String.init)
                page.hasErrors = true
                return try render(AnswerFormPage.template, page, context: context, request: request, status: .unprocessableContent)
            }
        }

        router.post("/answer/{token}/confirm") { request, context in
            guard let access = try admitted(request, context, answers, desk: desk, counting: true) else {
                return try refusal(context, html: true)
            }
            guard let form = await readForm(request) else { return try problemPage(.contentTooLarge, context: context) }
            var page = try AnswerFormPage(access: access, answers: answers, desk: desk, context: context, saved: false)
            guard answers.acceptsCSRF(form["csrf"], token: access.token) else {
                page.notice = labels(context)["expired_form"]
                return try render(AnswerFormPage.template, page, context: context, request: request, status: .forbidden)
            }
            guard let id = form["upload"], let pending = answers.uploads.take(id, token: access.token) else {
                page.notice = labels(context)["upload_expired"]
                return try render(AnswerFormPage.template, page, context: context, request: request, status: .unprocessableContent)
            }
            var submission = pending.read.submission
            submission.statement = form["statement"]
            submission.contact = form["contact"]
            do {
                try answers.recorder.record(access, submission: submission, via: .document(pending.read.label))
            } catch let error as GatewayError {
                page.errors = error.description.split(separator: "\n").map(String.init)
                page.hasErrors = true
                return try render(AnswerFormPage.template, page, context: context, request: request, status: .unprocessableContent)
            }
            return DeskRenderer.redirect(to: "/answer/\(access.token)?saved=1")
        }

        AnswerAPI.register(on: router, desk: desk, answers: answers)
    }

    /// The access the request's token gives, or nil (then a refusal is due). With `counting`, the submission is
    /// counted against the token and the address first, and over a limit 429 is thrown; a refused token counts
    /// against the address always.
    static func admitted(_ request: Request, _ context: DeskRequestContext, _ answers: AnswerDesk, desk: Desk,
                         counting: Bool) throws -> AnswerAccess? {
        let token = context.parameters.get("token") ?? ""
        guard let access = answers.links.access(token) else {
            if !answers.limiter.admit(token: nil, address: context.clientAddress) { throw AnswerTooMany() }
            return nil
        }
        if counting, !answers.limiter.admit(token: access.token, address: context.clientAddress) { throw AnswerTooMany() }
        return access
    }

    /// The request's body, or nil when it is larger than `limit` bytes. A body too large is still read to its end
    /// (up to `drainLimit`) and dropped, so that the client, still sending, reads the 413 instead of hanging.
    static func readBody(_ request: Request, limit: Int) async -> Data? {
        var data = Data()
        var total = 0
        do {
            for try await chunk in request.body {
                total += chunk.readableBytes
                if total <= limit { data.append(contentsOf: chunk.readableBytesView) }
                if total > drainLimit { break }
            }
        } catch {
            return nil
        }
        return total <= limit ? data : nil
    }

    /// Beyond this a body too large is no longer read: the connection is closed after the 413.
    static let drainLimit = 64 << 20

    /// The URL-encoded form of the request (at most 1 MB), or nil when it is larger.
    static func readForm(_ request: Request) async -> DeskForm? {
        guard let data = await readBody(request, limit: maximumBody) else { return nil }
        return DeskForm(urlEncoded: String(decoding: data, as: UTF8.self))
    }

    static func labels(_ context: DeskRequestContext) -> [String: String] { AnswerLabels.table(for: context.language) }

    /// The one refusal page (or JSON) for any token that gives no access.
    static func refusal(_ context: DeskRequestContext, html: Bool) throws -> Response {
        guard html else { return try DeskRenderer.json(AnswerAPI.Problem(error: "this answer link is not valid"), status: .notFound) }
        let words = labels(context)
        let data: [String: Any] = ["lang": context.language.rawValue, "title": words["refused_title"] ?? "", "labels": words]
        return DeskRenderer.htmlResponse(DeskTemplates.answerRefused.template.render(data), status: .notFound)
    }

    /// A plain page for 413.
    static func problemPage(_ status: HTTPResponse.Status, context: DeskRequestContext) throws -> Response {
        let words = labels(context)
        let text = (status == .tooManyRequests ? words["too_many"] : words["too_large"]) ?? ""
        let data: [String: Any] = ["lang": context.language.rawValue, "title": text, "labels": words, "page": ["text": text]]
        return DeskRenderer.htmlResponse(DeskTemplates.answerProblem.template.render(data), status: status)
    }

    /// An answer page in its language, with the same page in the other language one click away.
    static func render(_ template: DeskTemplate, _ page: some AnswerPage, context: DeskRequestContext, request: Request,
                       status: HTTPResponse.Status = .ok) throws -> Response {
        let other = context.language == .ja ? "en" : "ja"
        let path = request.uri.path.hasSuffix("/confirm") || request.uri.path.hasSuffix("/document")
            ? String(request.uri.path.split(separator: "/").prefix(2).joined(separator: "/")).prefixedWithSlash : request.uri.path
        // Every string Mustache writes is made visible first (a NUL or a bidi control sent back in a refused form, a
        // case title), as the desk's own pages do (`DeskRenderer.visible`).
        let data = DeskRenderer.visible(["lang": context.language.rawValue, "title": page.title, "labels": labels(context),
                                         "page": try MustacheValueEncoder.encode(page), "otherLanguageHref": "\(path)?lang=\(other)"])
        return DeskRenderer.htmlResponse(template.template.render(data), status: status)
    }
}

/// Over the rate limit: 429, as a page or JSON by the path.
struct AnswerTooMany: HTTPResponseError {
    var status: HTTPResponse.Status { .tooManyRequests }
    func response(from request: Request, context: some RequestContext) throws -> Response {
        if request.uri.path.hasPrefix("/api/") {
            var response = try DeskRenderer.json(AnswerAPI.Problem(error: "too many submissions: try again later"), status: .tooManyRequests)
            response.headers[.retryAfter] = "600"
            return response
        }
        let language: DeskLanguage = (context as? DeskRequestContext)?.language ?? .en
        let text = AnswerLabels.table(for: language)["too_many"] ?? ""
        let data: [String: Any] = ["lang": language.rawValue, "title": text, "labels": AnswerLabels.table(for: language), "page": ["text": text]]
        var response = DeskRenderer.htmlResponse(DeskTemplates.answerProblem.template.render(data), status: .tooManyRequests)
        response.headers[.retryAfter] = "600"
        return response
    }
}

private extension String {
    var prefixedWithSlash: String { hasPrefix("/") ? self : "/" + self }
}
