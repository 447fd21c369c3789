import Foundation
import Gateway
import Registry

/// A page of the answer form: a view model rendered by its template.
protocol AnswerPage: Encodable, Sendable {
    var title: String { get }
}

/// One product as the answer pages show it, with its words in the page language.
struct AnswerProductView: Encodable, Sendable {
    let name: String
    let identifier: String?
    let status: String
    let statusLabel: String
    let justificationLabel: String?
    let fixedVersion: String?

    init(_ product: AnswerSubmission.Product, labels: [String: String]) {
        name = product.name
        identifier = product.identifier
        status = product.status.rawValue
        statusLabel = labels["status_\(product.status.rawValue)"] ?? product.status.rawValue
        justificationLabel = product.justification.map { labels["justification_\($0)"] ?? $0 }
        fixedVersion = product.fixedVersion
    }
}

/// What every answer page shows of the case: only what the notification itself said.
struct AnswerCaseFacts: Encodable, Sendable {
    let caseId: String
    let caseTitle: String
    let tlp: String
    let due: String?
    let organization: String
    let validUntil: String

    init(_ access: AnswerAccess, desk: Desk, language: DeskLanguage) {
        let facts = access.facts
        caseId = facts.caseId
        caseTitle = language == .ja ? (facts.titleJa ?? facts.title) : facts.title
        tlp = (facts.tlp ?? desk.services.configuration.cases.tlp).label
        due = facts.due?.description
        organization = facts.organizationName
        let dates = desk.services.dates
        validUntil = "\(dates.timeText(access.validUntil)) (\(ZoneLabel.abbreviation(dates.timeZone, at: access.validUntil)))"
    }
}

/// `/answer/{token}`: the case, the vendor's current answer and the form.
struct AnswerFormPage: AnswerPage {
    static let template = DeskTemplates.answerForm
    let title: String
    let caseId: String
    let caseTitle: String
    let tlp: String
    let due: String?
    let organization: String
    let validUntil: String
    let action: String
    let uploadAction: String
    let csrf: String
    var saved: Bool
    var notice: String?
    var errors: [String] = []
    var hasErrors = false
    var current: Current?
    var rows: [Row]
    var statement: String?
    var contact: String?

    struct Current: Encodable, Sendable {
        let answeredAt: String
        let document: String?
        let products: [AnswerProductView]
        let statement: String?
        let contact: String?
    }

    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Row: Encodable, Sendable {
        var name: String
        var identifier: String
        var statuses: [Option]
        var justifications: [Option]
        var fixedVersion: String

        init(name: String = "", identifier: String = "", status: String = "", justification: String = "", fixedVersion: String = "",
             labels: [String: String]) {
            self.name = name; self.identifier = identifier; self.fixedVersion = fixedVersion
            statuses = [Option(value: "", label: labels["choose"] ?? "", selected: status.isEmpty)]
                + AnswerSubmission.Product.Status.allCases.map {
                    Option(value: $0.rawValue, label: labels["status_\($0.rawValue)"] ?? $0.rawValue, selected: $0.rawValue == status)
                }
            justifications = [Option(value: "", label: labels["choose"] ?? "", selected: justification.isEmpty)]
                + ProductStatement.justifications.map {
                    Option(value: $0, label: labels["justification_\($0)"] ?? $0, selected: $0 == justification)
                }
        }
    }

    init(access: AnswerAccess, answers: AnswerDesk, desk: Desk, context: DeskRequestContext, saved: Bool) throws {
        let labels = AnswerRoutes.labels(context)
        let facts = AnswerCaseFacts(access, desk: desk, language: context.language)
        title = "\(labels["answer_title"] ?? "") · \(facts.caseId)"
        caseId = facts.caseId; caseTitle = facts.caseTitle; tlp = facts.tlp; due = facts.due
        organization = facts.organization; validUntil = facts.validUntil
        action = "/answer/\(access.token)"
        uploadAction = "/answer/\(access.token)/document"
        csrf = answers.csrfNonce(token: access.token)
        self.saved = saved
        var rows: [Row] = []
        if let latest = try answers.recorder.current(access) {
            let dates = desk.services.dates
            current = Current(answeredAt: "\(dates.timeText(latest.answeredAt)) (\(ZoneLabel.abbreviation(dates.timeZone, at: latest.answeredAt)))",
                              document: latest.document,
                              products: latest.submission.products.map { AnswerProductView($0, labels: labels) },
                              statement: latest.submission.statement, contact: latest.submission.contact)
            rows = latest.submission.products.map {
                Row(name: $0.name, identifier: $0.identifier ?? "", status: $0.status.rawValue, justification: $0.justification ?? "",
                    fixedVersion: $0.fixedVersion ?? "", labels: labels)
            }
            statement = latest.submission.statement
            contact = latest.submission.contact
        }
        rows.append(Row(labels: labels))
        self.rows = rows
    }

    /// The rows, statement and contact as sent, so a refused form is shown again as the vendor wrote it.
    mutating func keep(_ form: DeskForm, labels: [String: String]) {
        let fields = form.fields
        let count = ["name", "identifier", "status", "justification", "fixed_version"].map { fields[$0]?.count ?? 0 }.max() ?? 0
        func value(_ name: String, _ index: Int) -> String {
            let list = fields[name] ?? []
            return index < list.count ? list[index] : ""
        }
        rows = (0..<min(count, AnswerSubmission.maximumProducts)).map { index in
            Row(name: value("name", index), identifier: value("identifier", index), status: value("status", index),
                justification: value("justification", index), fixedVersion: value("fixed_version", index), labels: labels)
        }
        if rows.isEmpty { rows = [Row(labels: labels)] }
        statement = fields["statement"]?.first
        contact = fields["contact"]?.first
    }

    /// One more empty row (the form without its script).
    mutating func addRow(labels: [String: String]) {
        if rows.count < AnswerSubmission.maximumProducts { rows.append(Row(labels: labels)) }
    }

    /// The answer the form's rows make: a row with nothing in it is left out; a row without a status is refused
    /// by name (`products[2].status`).
    static func submission(from form: DeskForm) throws -> AnswerSubmission {
        let fields = form.fields
        let count = ["name", "identifier", "status", "justification", "fixed_version"].map { fields[$0]?.count ?? 0 }.max() ?? 0
        func value(_ name: String, _ index: Int) -> String? {
            let list = fields[name] ?? []
            let text = index < list.count ? list[index].trimmingCharacters(in: .whitespacesAndNewlines) : ""
            return text.isEmpty ? nil : text
        }
        var products: [AnswerSubmission.Product] = []
        var problems: [String] = []
        for index in 0..<min(count, AnswerSubmission.maximumProducts + 1) {
            let name = value("name", index), status = value("status", index)
            let others = [value("identifier", index), value("justification", index), value("fixed_version", index)]
            if name == nil && status == nil && others.allSatisfy({ $0 == nil }) { continue }
            guard let status, let parsed = AnswerSubmission.Product.Status(rawValue: status) else {
                problems.append("products[\(products.count + 1)].status: choose the product's status")
                products.append(.init(name: name ?? "", status: .underInvestigation))
                continue
            }
            products.append(.init(name: name ?? "", identifier: others[0], status: parsed, justification: others[1], fixedVersion: others[2]))
        }
        let submission = AnswerSubmission(products: products, statement: form.fields["statement"]?.first, contact: form.fields["contact"]?.first)
        do {
            _ = try submission.validated()
        } catch let error as GatewayError {
            problems += error.description.split(separator: "\n").map(String.init)
        }
        if !problems.isEmpty { throw GatewayError.input(Array(NSOrderedSet(array: problems)).compactMap { $0 as? String }.joined(separator: "\n")) }
        return submission
    }
}

/// `POST /answer/{token}/document`: the statuses read from an uploaded VEX document, for confirmation.
struct AnswerConfirmPage: AnswerPage {
    static let template = DeskTemplates.answerConfirm
    let title: String
    let caseId: String
    let caseTitle: String
    let tlp: String
    let due: String?
    let organization: String
    let validUntil: String
    let document: String
    let namesCase: Bool
    let products: [AnswerProductView]
    let confirmAction: String
    let back: String
    let upload: String
    let csrf: String

    init(access: AnswerAccess, read: AnswerRecorder.ReadDocument, upload: String, answers: AnswerDesk, desk: Desk, context: DeskRequestContext) {
        let labels = AnswerRoutes.labels(context)
        let facts = AnswerCaseFacts(access, desk: desk, language: context.language)
        title = "\(labels["confirm_title"] ?? "") · \(facts.caseId)"
        caseId = facts.caseId; caseTitle = facts.caseTitle; tlp = facts.tlp; due = facts.due
        organization = facts.organization; validUntil = facts.validUntil
        document = read.label
        namesCase = read.namesCase
        products = read.submission.products.map { AnswerProductView($0, labels: labels) }
        confirmAction = "/answer/\(access.token)/confirm"
        back = "/answer/\(access.token)"
        self.upload = upload
        csrf = answers.csrfNonce(token: access.token)
    }
}
