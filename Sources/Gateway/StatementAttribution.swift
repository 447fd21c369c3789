import Foundation
import Mail
import Registry

/// The attribute step of ingest: a reply's statement is credited to the organisation of whoever wrote it (its
/// sender's contact address or domain, or the owner of the key that signed it), not to the thread it arrived in.
///
/// - Tied by its sender only, while the organisation takes part in several open cases and the reply names none of
///   them: held for review (`InboundMatcher`).
/// - The sender belongs to the organisation of the matched notification (a colleague at the vendor's domain): kept.
/// - The sender belongs to another participant of the same case (a supplier answering in the vendor's forwarded
///   thread): credited to that participant, matched to its latest notification of the case.
/// - The sender belongs to an organisation that takes no part in the case: held for review.
/// - The sender belongs to no organisation (also a reply whose From is missing or is no address): kept when our
///   tracking reference in the subject tied it to the notification (only those we wrote to have it, as with a
///   group's shared CSIRT address), or when the reply is copied (To or Cc) to a contact of the thread's
///   organisation, which then sees what it is credited with; held for review when only the thread (In-Reply-To,
///   References, the VERP address) tied it.
struct StatementAttribution {
    /// The match to apply, and why a person must decide instead (nothing is applied then).
    struct Result {
        var match: InboundMatch?
        var hold: String?
    }

    static func attribute(_ message: ClassifiedMessage, _ match: InboundMatch?, in store: InboundTransaction) throws -> Result {
        guard message.classification.kind == .humanReply, let match, let caseId = match.caseId else { return Result(match: match) }
        if let ambiguity = match.ambiguity { return Result(match: match, hold: ambiguity) }
        guard match.isByReference else { return Result(match: match) }
        // A From that is missing or is no address (a control character in it, say) names nobody: its writer is
        // in no organisation, as an unknown sender's is; the key that signed it may still name one.
        let from = message.parsed.from?.address.lowercased()
        var writers = try from.map { try store.organizations(contactEmail: $0) } ?? []
        if writers.isEmpty, let domain = message.parsed.from?.domain { writers = try store.organizations(domain: domain) }
        for check in message.signatureChecks where check.isValid {
            writers += try store.organizations(keyFingerprint: check.fingerprint)
        }
        writers = Array(Set(writers)).sorted()
        if writers.contains(match.organizationId) { return Result(match: match) }
        if writers.isEmpty {
            if match.via == "reference" { return Result(match: match) }
            // Written in the open to the vendor's own contacts (a colleague's private address copying the vendor's
            // security team): the vendor sees what it is credited with and can object, so the thread's organisation keeps it.
            for copied in message.parsed.to + message.parsed.cc
            where try store.organizations(contactEmail: copied.address.lowercased()).contains(match.organizationId) {
                return Result(match: match)
            }
            let sender = from.map { "sent by \($0)" } ?? "sent without a From address that names its writer"
            return Result(match: match, hold: "\(sender), who is in no organisation of \(caseId), in the thread of "
                          + "\(match.organizationId) (matched by \(match.via) only)")
        }
        let participants = try writers.filter { try store.participant(caseId: caseId, organizationId: $0) != nil }
        if participants.count == 1, let writer = participants.first {
            let notification = try store.latestNotification(caseId: caseId, organizationId: writer)
            return Result(match: InboundMatch(notification: notification, caseId: caseId, organizationId: writer,
                                              via: "sender, in the thread of \(match.organizationId)"))
        }
        let names = writers.joined(separator: ", ")
        let writer = from.map { "sent by \($0) of \(names)" } ?? "signed with a key of \(names), without a From address that names its writer"
        return Result(match: match, hold: participants.isEmpty
                      ? "\(writer), which takes no part in \(caseId), in the thread of \(match.organizationId)"
                      : "\(writer), more than one participant of \(caseId), in the thread of \(match.organizationId)")
    }
}
