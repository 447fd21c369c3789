import Foundation
import Registry

/// The checks that stop a coordinator's slip before it reaches a vendor or the record: a due date already past,
/// publication before the embargo ends, an embargo template to a published case, a second copy while the first is
/// still in the outbox, an origin that is no configured partner. Each refusal is one line saying why and naming
/// the flag that does it anyway (`--force`), or, for an origin, the setting that allows it.
///
/// ```swift
/// CaseGuards.originProblem("cert-c", partners: ["jvn-jp", "cert-cc", "cpni"])
/// // "origin cert-c is not a configured partner (cases.origins: jvn-jp, cert-cc, cpni); did you mean cert-cc?"
/// ```
public enum CaseGuards {
    /// The shipped templates whose text speaks of an embargo still running; they make no sense once a case is
    /// published. Messages queued as reminders, escalations or due-date changes count too, whatever their template.
    public static let embargoTemplates: Set<String> = ["vendor-initial", "reminder", "escalation", "due-changed"]
    static let embargoPurposes: Set<NotificationPurpose> = [.reminder, .escalation, .dueChanged]

    /// An origin that is not one of `partners` (`cases.origins` of liaison.yaml), with the nearest one.
    public static func originProblem(_ origin: String, partners: [String]) -> String? {
        guard !partners.contains(origin) else { return nil }
        return "origin \(origin) is not a configured partner (cases.origins: \(partners.joined(separator: ", ")))"
            + NearestName.suggestion(for: origin, in: partners)
            + (NearestName.closest(to: origin, in: partners) == nil ? "; add it to cases.origins in liaison.yaml" : "")
    }

    /// A due date before `today` (both days in the workspace zone): vendors would be told an embargo that ended.
    public static func pastDueProblem(_ due: CalendarDate, today: CalendarDate, zone: TimeZone) -> String? {
        guard due < today else { return nil }
        return "the due date \(due) is in the past (today is \(today) in \(zone.identifier)); "
            + "give a later day, or use --force to set it anyway"
    }

    /// A due date more than five years after `today`: a mistyped year (9999-12-31) would run an embargo, reminders
    /// and calendar weeks no one means. Not forced.
    public static func farDueProblem(_ due: CalendarDate, today: CalendarDate) -> String? {
        let limit = today.adding(days: 5 * 365 + 1)
        guard due > limit else { return nil }
        return "the due date \(due) is more than five years ahead (after \(limit)); give the day the embargo ends"
    }

    /// Publication at `instant` before the start of the case's due day in the workspace zone breaks the embargo.
    public static func earlyPublicationProblem(caseId: String, due: CalendarDate?, at instant: Date, zone: TimeZone) -> String? {
        guard let due, instant < due.start(in: zone) else { return nil }
        return "case \(caseId) is under embargo until \(ZoneLabel.day(due.description, in: zone)) (its due date); publishing now breaks it: "
            + "move the date with `liaison case set-due`, or use --force to publish anyway"
    }

    /// A publication time still to come (`case publish --at`): publication is recorded once the advisory is out, and
    /// recording it early would count the case as published and lower its TLP while the embargo runs. Not forced.
    public static func futurePublicationProblem(caseId: String, at instant: Date, now: Date, zone: TimeZone) -> String? {
        guard instant > now else { return nil }
        return "the publication day \(ZoneLabel.day(of: instant, in: zone)) of case \(caseId) has not come yet; publish it when the "
            + "advisory is out (plan the day with `liaison case set-due`)"
    }

    /// An embargo template (the first notice, a reminder) for a case already published.
    public static func publishedCaseProblem(_ record: CaseRecord, template: String, purpose: NotificationPurpose) -> String? {
        guard record.publishedAt != nil, embargoTemplates.contains(template) || embargoPurposes.contains(purpose) else { return nil }
        return "case \(record.id) is already published, and \(template) speaks of an embargo; use the publication template, "
            + "or --force to send \(template) anyway"
    }

    /// Any message for a withdrawn case (opened by mistake): it must be reopened first. Not forced.
    public static func withdrawnCaseProblem(_ record: CaseRecord) -> String? {
        guard record.withdrawnAt != nil else { return nil }
        return "case \(record.id) is withdrawn (\(record.withdrawnReason ?? "no reason given")); reopen it first with `liaison case reopen`"
    }

    /// `notify --again` while `unsent` earlier messages of the same case and template wait in the outbox
    /// (queued, being sent or deferred): each vendor would get two copies.
    public static func unsentRepeatProblem(caseId: String, template: String, unsent: Int) -> String? {
        guard unsent > 0 else { return nil }
        return "\(unsent) earlier message\(unsent == 1 ? "" : "s") of \(template) for \(caseId) \(unsent == 1 ? "is" : "are") "
            + "still queued or deferred, so --again would send vendors two copies; run `liaison send` (or void them with "
            + "`liaison outbox void --case`) first, or use --force to queue again anyway"
    }

    /// Every problem of cases read by `case import`, as `FILE:LINE: message`: an origin that is no configured
    /// partner, and (unless `force`) an unpublished case whose due date is already past.
    public static func importProblems(_ cases: [ImportedCase], file: String, partners: [String], today: CalendarDate,
                                      zone: TimeZone, force: Bool) -> [String] {
        cases.flatMap { item -> [String] in
            var problems: [String] = []
            if let problem = originProblem(item.origin, partners: partners) { problems.append("\(file):\(item.line): \(problem)") }
            if item.publishedAt == nil, let due = item.due, let problem = farDueProblem(due, today: today) {
                problems.append("\(file):\(item.line): case \(item.id): " + problem)
            }
            if !force, item.publishedAt == nil, let due = item.due,
               let problem = pastDueProblem(due, today: today, zone: zone) {
                problems.append("\(file):\(item.line): case \(item.id) is not published and " + problem)
            }
            return problems
        }
    }
}
