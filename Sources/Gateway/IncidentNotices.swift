import Foundation
import Mail
import Registry

/// Incident notices (通知連絡): messages outside a case, to an organisation or a country's national CSIRT.
public struct IncidentNotices: Sendable {
    public let composer: NotificationComposer

    public init(composer: NotificationComposer) { self.composer = composer }

    /// Labels shown to the recipient, in the template's language.
    static let labels: [IncidentCategory: (en: String, ja: String)] = [
        .scan: ("scan", "スキャン"), .forged: ("forged site", "サイト改ざん・偽装"), .intrusion: ("intrusion", "侵入"),
        .phishing: ("phishing", "フィッシング"), .other: ("other", "その他"),
    ]

    /// The active national CSIRT of a country, for `--country`.
    public func nationalCSIRT(country: String) throws -> String {
        let code = country.uppercased()
        let ids = try composer.store.notificationPlanning.nationalCSIRTs(country: code)
        guard let first = ids.first else {
            throw GatewayError.noRecipients("no active national CSIRT for country \(code) in the registry")
        }
        guard ids.count == 1 else {
            throw GatewayError.invalidArgument("\(code) has several national CSIRTs (\(ids.joined(separator: ", "))); name one with --org")
        }
        return first
    }

    /// Queues (or plans) an incident notice.
    public func notify(organization: String, category: IncidentCategory, template: String = "incident",
                       variables: [String: String], attachments: [Attachment] = [], dryRun: Bool = false) throws -> [PlannedNotification] {
        var variables = variables
        let label = Self.labels[category]!
        variables["incident.category"] = category.rawValue
        var request = NotificationRequest(caseId: nil, organizations: [organization], template: template, purpose: .incident,
                                          incidentCategory: category, variables: variables, attachments: attachments, again: true)
        request.localizedVariables = ["en": ["incident.categoryLabel": label.en], "ja": ["incident.categoryLabel": label.ja]]
        return dryRun ? try composer.plan(request) : try composer.queue(request)
    }
}
