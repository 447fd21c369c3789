import Foundation
import Registry

/// One language's message as `notify` would queue it: rendered from the template for the first organisation
/// reading that language, with how many organisations would get it.
public struct NotificationPreview: Sendable, Encodable {
    public let language: String
    /// How many organisations would get a message in this language.
    public let organizations: Int
    /// How many messages in all would be queued in this language.
    public let messages: Int
    /// The organisation the text below was rendered for.
    public let sampleOrganizationId: String
    /// The subject, its tracking reference shown as `NotificationComposer.trackingPlaceholder`.
    public let subject: String
    /// The rendered text, before signing, its tracking reference shown as the placeholder too.
    public let body: String
}

extension NotificationComposer {
    /// What a preview shows in place of the tracking reference (`LSN-…`): each message gets its own when queued.
    public static let trackingPlaceholder = "LSN-(assigned when queued)"

    /// What `queue(request)` would send, one rendered sample per language, checked exactly as `notify --dry-run`
    /// checks (the same planning step): throws `GatewayProblems` listing every problem, and queues nothing.
    public func preview(_ request: NotificationRequest) throws -> [NotificationPreview] {
        let drafts = try drafts(for: request)
        var order: [String] = []
        var byLanguage: [String: [Draft]] = [:]
        for draft in drafts {
            if byLanguage[draft.language] == nil { order.append(draft.language) }
            byLanguage[draft.language, default: []].append(draft)
        }
        return order.map { language in
            let group = byLanguage[language]!
            // Each queued message draws its own tracking reference: the one drawn for this sample is never sent, so
            // it is shown as a placeholder rather than as a reference no vendor will see.
            func placeholder(_ text: String) -> String {
                text.replacingOccurrences(of: group[0].trackingRef, with: Self.trackingPlaceholder)
            }
            return NotificationPreview(language: language, organizations: Set(group.map(\.organizationId)).count, messages: group.count,
                                       sampleOrganizationId: group[0].organizationId, subject: placeholder(group[0].subject),
                                       body: placeholder(group[0].body))
        }
    }
}
