import Foundation
import Mail
import Registry

/// What a received message was tied to, and how.
public struct InboundMatch: Sendable {
    public let notification: InboundNotificationRef?
    public let caseId: String?
    public let organizationId: String
    /// How it was found: `In-Reply-To`, `References`, `returned message`, `VERP`, `reference`, `sender`, `domain`,
    /// or `assigned` by a person (`liaison inbox assign`).
    public let via: String
    /// The match rests on the message's own ids or our reference, not just on who sent it.
    public var isByReference: Bool { via != "sender" && via != "domain" }
    /// Why a person must choose the case instead, for a message tied by its sender only (nil when it is clear).
    var ambiguity: String? = nil
}

/// The match step of ingest: ties a classified message to the notification it answers or reports on.
///
/// Delivery reports are matched only by what names our message (the VERP envelope address, the returned message's
/// Message-ID, `X-Original-Message-ID`, In-Reply-To/References, the `[LSN-…]` reference), never by who sent them.
/// Replies also by In-Reply-To/References, then the reference in the subject (in any charset, also the subject of
/// an encrypted part), then the sender's contact address or domain: the open case its text names, or the
/// organisation's only open case (several, and none named: held for a person).
public struct InboundMatcher: Sendable {
    public init() {}

    public func match(_ message: ClassifiedMessage, in store: InboundTransaction) throws -> InboundMatch? {
        let parsed = message.parsed
        func found(_ n: InboundNotificationRef?, _ via: String) -> InboundMatch? {
            n.map { InboundMatch(notification: $0, caseId: $0.caseId, organizationId: $0.organizationId, via: via) }
        }
        // VERP: a report (or a reply) delivered to vuls+LSN-…@ names its notification whatever its text says.
        for name in ["Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To", "Cc"] {
            for address in parsed.addresses(name) {
                guard let ref = VERPAddress.trackingRef(in: address.address) else { continue }
                if let match = found(try store.notification(trackingRef: ref), "VERP") { return match }
            }
        }
        if let report = message.classification.report {
            for id in report.returnedMessageIDs {
                if let match = found(try store.notification(messageId: id), "returned message") { return match }
            }
            for returnPath in report.returnedHeaders where returnPath.name.lowercased() == "return-path" {
                if let ref = VERPAddress.trackingRef(in: returnPath.value.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))),
                   let match = found(try store.notification(trackingRef: ref), "VERP") { return match }
            }
        }
        for id in parsed.inReplyTo {
            if let match = found(try store.notification(messageId: id), "In-Reply-To") { return match }
        }
        for id in parsed.references.reversed() + parsed.headers("X-Original-Message-ID").flatMap(MessageID.parseList) {
            if let match = found(try store.notification(messageId: id), "References") { return match }
        }
        var texts = [parsed.subject, message.content.subject].compactMap { $0 }
        if let report = message.classification.report { texts.append(report.text) }
        for text in texts {
            if let ref = TrackingReference.find(in: text), let match = found(try store.notification(trackingRef: ref), "reference") {
                return match
            }
        }
        // Only people's mail is matched by who sent it: a report's sender is a mail system.
        guard message.classification.kind != .deliveryReport, message.classification.kind != .unrelated,
              let from = parsed.from else { return nil }
        var organizations = try store.organizations(contactEmail: from.address)
        var via = "sender"
        if organizations.isEmpty {
            organizations = try store.organizations(domain: from.domain)
            via = "domain"
        }
        guard organizations.count == 1, let organization = organizations.first else { return nil }
        // The case its subject or text names, among the open cases the organisation was notified in; else its only
        // open case. Several open cases and none named: the latest, held for a person to choose.
        let open = try store.openCases(notifying: organization)
        guard let latest = open.first else { return nil }
        let text = (texts + [StatedResponse.text(of: message.content)]).joined(separator: "\n")
        if let named = try store.caseIds(mentionedIn: text).first(where: open.contains) {
            return InboundMatch(notification: nil, caseId: named, organizationId: organization, via: via)
        }
        var match = InboundMatch(notification: nil, caseId: latest, organizationId: organization, via: via)
        if open.count > 1 {
            match.ambiguity = "sent by \(from.address) of \(organization) without our reference, naming none of its \(open.count) "
                + "open cases (\(open.prefix(5).joined(separator: ", "))\(open.count > 5 ? ", …" : "")): which case it answers is for a person "
                + "to say (liaison inbox assign MSG CASE ORG)"
        }
        return match
    }
}
