import Foundation
/// A store operation refused by the registry's rules: the case, participant or message is not in the state the
/// operation needs. Nothing was changed.
///
/// Match on the static members; the sentence names the case, organisation or message:
/// ```swift
/// do { try cases.open(record, actor: "alice") }
/// catch let error as StoreError where error == .caseExists { print(error) }
/// ```
public struct StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    private enum Code: Equatable, Sendable {
        case unknownCase, caseExists, unknownOrganization, retiredOrganization, notParticipant, alreadyPublished
        case alreadyNotified, recipientsChanged, noMatch, invalidArgument
    }

    private let code: Code
    /// One sentence for a user.
    public let description: String

    private init(_ code: Code, _ description: String) { self.code = code; self.description = description }

    /// Errors of the same kind are equal, whatever their sentence.
    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.code == rhs.code }

    /// No case has the id.
    public static let unknownCase = StoreError(.unknownCase, "No such case.")
    /// A case with the id is already open.
    public static let caseExists = StoreError(.caseExists, "The case is already open.")
    /// No organisation has the id.
    public static let unknownOrganization = StoreError(.unknownOrganization, "No such organisation.")
    /// The organisation is retired.
    public static let retiredOrganization = StoreError(.retiredOrganization, "The organisation is retired.")
    /// The organisation takes no part in the case.
    public static let notParticipant = StoreError(.notParticipant, "The organisation is not a participant of the case.")
    /// The case was published already.
    public static let alreadyPublished = StoreError(.alreadyPublished, "The case was already published.")
    /// The organisation was already sent this template for the case (checked inside the queuing transaction).
    public static let alreadyNotified = StoreError(.alreadyNotified, "The organisation was already notified.")
    /// The organisation's contacts changed between checking and queuing.
    public static let recipientsChanged = StoreError(.recipientsChanged, "The recipients changed while queuing.")
    /// Nothing matched what the operation was asked to change.
    public static let noMatch = StoreError(.noMatch, "Nothing matched.")
    /// A value given by the caller is malformed.
    public static let invalidArgument = StoreError(.invalidArgument, "An argument is invalid.")

    static func unknownCase(_ id: String, known: [String] = []) -> StoreError {
        .init(.unknownCase, "no case \(id)\(NearestName.suggestion(for: id, in: known)); `liaison case list` shows the cases")
    }
    static func caseExists(_ id: String) -> StoreError { .init(.caseExists, "case \(id) is already open") }
    static func unknownOrganization(_ id: String, known: [String] = []) -> StoreError {
        .init(.unknownOrganization, "no organisation \(id) in the registry\(NearestName.suggestion(for: id, in: known)); run `liaison directory sync` after adding Directory/organizations/\(id).yaml")
    }
    /// Several organisations unknown or retired, one line each.
    /// How many unknown or retired organisations a refusal names one by one; the rest are counted.
    static let listedProblems = 10
    /// One line per organisation named, then `… and 49,990 more organisations unknown or retired`.
    static func unknownOrganizations(_ lines: [String], more: Int = 0) -> StoreError {
        let rest = more > 0 ? ["… and \(more.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))) more organisations unknown or retired"] : []
        return .init(.unknownOrganization, (lines + rest).joined(separator: "\n"))
    }
    static func retiredOrganization(_ id: String) -> StoreError { .init(.retiredOrganization, "organisation \(id) is retired") }
    /// The organisation is not in the case: the participant it was likely meant for when the id is a near typo of
    /// one (`participants`), else how to add it.
    public static func notParticipant(caseId: String, organizationId: String, participants: [String] = []) -> StoreError {
        if let nearest = NearestName.closest(to: organizationId, in: participants) {
            return .init(.notParticipant, "\(organizationId) is not a participant of \(caseId); did you mean \(nearest)? "
                         + "(`liaison case show \(caseId)` lists them)")
        }
        return .init(.notParticipant, "\(organizationId) is not a participant of \(caseId); add it with `liaison case add \(caseId) \(organizationId)`")
    }
    static func alreadyPublished(_ id: String, at: String) -> StoreError {
        .init(.alreadyPublished, "case \(id) was already published on \(at)")
    }
    /// `queued`: the earlier message still waits in the outbox (a second submit of the same form), so it is not
    /// said to be sent.
    static func alreadyNotified(caseId: String, organizationId: String, template: String, queued: Bool = false) -> StoreError {
        .init(.alreadyNotified, queued
              ? "\(template) for \(caseId) is already queued for \(organizationId) (not sent yet); it is sent once"
              : "\(organizationId) was already sent \(template) for \(caseId); use --again to send it once more")
    }
    static func recipientsChanged(_ organizationId: String) -> StoreError {
        .init(.recipientsChanged, "\(organizationId): its contacts changed while the messages were being prepared; nothing was queued, run the command again")
    }
    static func noMatch(_ sentence: String) -> StoreError { .init(.noMatch, sentence) }
    static func invalidArgument(_ sentence: String) -> StoreError { .init(.invalidArgument, sentence) }
}
