import Foundation
import Gateway
import Hummingbird
import Registry

/// The answer link's JSON API for vendors' own tools, described by `openAPI` (OpenAPI 3.1, served at
/// `/api/v1/openapi.json`):
///
/// - `GET /api/v1/answer/{token}`: the case as the notification told it and the current answer;
/// - `POST /api/v1/answer/{token}`: an answer (`AnswerSubmission` as JSON, at most 1 MB);
/// - `POST /api/v1/answer/{token}/document`: a CSAF 2.0 VEX, OpenVEX or CycloneDX VEX document (JSON, at most
///   5 MB), recorded at once; the answer it made is returned. A document about another vulnerability, naming
///   nothing of this case, is refused with 422.
enum AnswerAPI {
    /// An error: one line, or one line per field (`problems`).
    struct Problem: Encodable, Sendable {
        let error: String
        var problems: [String]? = nil
    }

    /// `GET`: the case and the current answer.
    struct View: Encodable, Sendable {
        struct Case: Encodable, Sendable {
            let id: String
            let title: String
            let tlp: String
            let due: String?
        }
        let `case`: Case
        let organization: String
        let validUntil: Date
        let answer: Answer?

        enum CodingKeys: String, CodingKey {
            case `case`, organization, answer
            case validUntil = "valid_until"
        }
    }

    /// The answer as it stands.
    struct Answer: Encodable, Sendable {
        let products: [AnswerSubmission.Product]
        let statement: String?
        let contact: String?
        let answeredAt: Date
        let document: String?

        enum CodingKeys: String, CodingKey {
            case products, statement, contact, document
            case answeredAt = "answered_at"
        }
    }

    /// `POST`: what was recorded.
    struct Recorded: Encodable, Sendable {
        let recorded: Bool
        /// The participant's response derived from its products.
        let response: String
        let answer: Answer?
    }

    static func register(on router: DeskRouter, desk: Desk, answers: AnswerDesk) {
        router.get("/api/v1/answer/{token}") { request, context in
            guard let access = try AnswerRoutes.admitted(request, context, answers, desk: desk, counting: false) else {
                return try AnswerRoutes.refusal(context, html: false)
            }
            return try DeskRenderer.json(try view(access, answers: answers))
        }

        router.post("/api/v1/answer/{token}") { request, context in
            guard let access = try AnswerRoutes.admitted(request, context, answers, desk: desk, counting: true) else {
                return try AnswerRoutes.refusal(context, html: false)
            }
            guard let data = try await body(request, limit: AnswerRoutes.maximumBody) else { return try tooLarge() }
            guard isJSON(request) else { return try unsupported() }
            let submission: AnswerSubmission
            do {
                submission = try JSONDecoder().decode(AnswerSubmission.self, from: data)
            } catch {
                return try DeskRenderer.json(Problem(error: "the body is not an answer: \(describe(error))"), status: .badRequest)
            }
            return try record(access, submission: submission, via: .api, answers: answers)
        }

        router.post("/api/v1/answer/{token}/document") { request, context in
            guard let access = try AnswerRoutes.admitted(request, context, answers, desk: desk, counting: true) else {
                return try AnswerRoutes.refusal(context, html: false)
            }
            guard let data = try await body(request, limit: AnswerRecorder.maximumDocumentBytes) else { return try tooLarge() }
            guard isJSON(request) else { return try unsupported() }
            let read: AnswerRecorder.ReadDocument
            do {
                read = try AnswerRecorder.read(document: data, filename: request.headers[.contentDisposition].flatMap(filename), caseId: access.caseId)
            } catch let error as GatewayError {
                // A document about another vulnerability is well formed but not an answer for this case.
                return try DeskRenderer.json(Problem(error: error.description),
                                             status: error == .aboutAnotherCase ? .unprocessableContent : .badRequest)
            }
            return try record(access, submission: read.submission, via: .document(read.label), answers: answers)
        }
    }

    static func view(_ access: AnswerAccess, answers: AnswerDesk) throws -> View {
        let facts = access.facts
        return View(case: .init(id: facts.caseId, title: facts.title, tlp: (facts.tlp ?? .defaultLevel).label, due: facts.due?.description),
                    organization: facts.organizationName, validUntil: access.validUntil, answer: try answer(access, answers: answers))
    }

    static func answer(_ access: AnswerAccess, answers: AnswerDesk) throws -> Answer? {
        try answers.recorder.current(access).map {
            Answer(products: $0.submission.products, statement: $0.submission.statement, contact: $0.submission.contact,
                   answeredAt: $0.answeredAt, document: $0.document)
        }
    }

    static func record(_ access: AnswerAccess, submission: AnswerSubmission, via channel: AnswerRecorder.Channel,
                       answers: AnswerDesk) throws -> Response {
        do {
            let response = try answers.recorder.record(access, submission: submission, via: channel)
            return try DeskRenderer.json(Recorded(recorded: true, response: response.rawValue, answer: try answer(access, answers: answers)))
        } catch let error as GatewayError {
            let lines = error.description.split(separator: "\n").map(String.init)
            return try DeskRenderer.json(Problem(error: lines.first ?? "the answer was refused", problems: lines), status: .badRequest)
        }
    }

    /// The body, or nil when it is (or says it is) larger than `limit` bytes.
    static func body(_ request: Request, limit: Int) async throws -> Data? {
        await AnswerRoutes.readBody(request, limit: limit)
    }

    static func isJSON(_ request: Request) -> Bool {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        return type.hasPrefix("application/json") || type.hasPrefix("application/csaf+json") || type.hasPrefix("application/vnd.cyclonedx+json")
    }

    static func tooLarge() throws -> Response {
        try DeskRenderer.json(Problem(error: "the body is too large"), status: .contentTooLarge)
    }

    static func unsupported() throws -> Response {
        try DeskRenderer.json(Problem(error: "send JSON (Content-Type: application/json)"), status: .unsupportedMediaType)
    }

    static func filename(_ disposition: String) -> String? {
        disposition.split(separator: ";").compactMap { part -> String? in
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "filename" else { return nil }
            return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }.first
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".") + " is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : path + ": ") + (context.underlyingError == nil ? context.debugDescription : "not JSON")
        default:
            return "not JSON"
        }
    }
}
