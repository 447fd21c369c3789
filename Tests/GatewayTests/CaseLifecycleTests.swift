import Foundation
import Mail
import Registry
import Testing
import TestSupport
@testable import Gateway

/// Embargo dates, TLP labels and the reminder ladder, against aiosmtpd and GnuPG started by the test.
@Suite struct CaseLifecycleTests {
    static let caseId = "JVNVU#87654321"

    func vendors(_ f: GatewayFixture) throws {
        try f.addOrganization("nihon-soft", localName: "日本ソフト株式会社",
                              contacts: [("psirt@nihon-soft.example", "to", "ja", nil), ("cto@nihon-soft.example", "cc", "ja", nil)])
        try f.addOrganization("acme", languages: ["en"],
                              contacts: [("security@acme.example", "to", "en", nil), ("ceo@acme.example", "cc", "en", nil)])
    }

    /// The text part of a signed message as received.
    func bodyText(_ bytes: Data) throws -> String {
        try ParsedMessage(bytes: bytes).root.parts[0].text ?? ""
    }

    func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func aCaseWithoutDueIsNotifiedWithEveryShippedTemplateInBothLanguages() throws {
        let f = try GatewayFixture()
        try vendors(f)
        try f.caseBook.open(id: Self.caseId, title: "HTTP サーバの認証回避", origin: "jvn-jp")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme", "nihon-soft"])
        let library = try TemplateLibrary(directory: GatewayFixture.templates)
        let caseTemplates = library.names.filter { $0 != "incident" }
        #expect(Set(["vendor-initial", "reminder", "publication", "due-changed", "escalation"]).isSubset(of: Set(caseTemplates)))
        for name in caseTemplates {
            #expect(library.languages(of: name) == ["en", "ja"], "\(name) ships in ja and en")
            var request = NotificationRequest(caseId: Self.caseId, template: name, purpose: .caseNotification, again: true)
            if name == "escalation" {
                request.variables = ["escalation.organizationName": "Acme", "escalation.organizationLocalName": "Acme", "escalation.days": "42"]
            }
            let planned = try f.composer.plan(request)
            #expect(Set(planned.map(\.language)) == ["en", "ja"], "\(name)")
        }
        // Once notified, the reminder names the first notification day with the workspace zone.
        var settings = f.settings
        settings.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        var composer = NotificationComposer(store: f.store, settings: settings)
        let clock = f.clock
        composer.now = { clock.now }
        try composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        _ = try f.dispatcher().run()
        let received = try f.sink.waitForMessages(count: 2)
        let japanese = try bodyText(try #require(received.first { $0.recipients.contains("psirt@nihon-soft.example") }).bytes)
        #expect(japanese.contains("公表予定日: 調整中"))

        let moved = try DueDates(composer: composer).move(caseId: Self.caseId, to: CalendarDate("2007-10-15")!, notify: true)
        #expect(moved.previous == nil && moved.messages.count == 2)
        _ = try f.dispatcher().run()
        let changed = try f.sink.waitForMessages(count: 4).suffix(2)
        let english = try bodyText(try #require(changed.first { $0.recipients.contains("security@acme.example") }).bytes)
        #expect(english.contains("New date:          2007-10-15 (JST)"))
        let events = try f.store.events.events(objectType: "case", objectId: Self.caseId)
        #expect(events.map(\.action).contains("case.due-changed"))
    }

    @Test func tlpLabelIsOnceInSubjectAndBodyAndRedNeverGoesToCc() throws {
        let f = try GatewayFixture()
        try vendors(f)
        try f.caseBook.open(id: Self.caseId, title: "Remote code execution", origin: "cert-cc", due: "2007-10-15", tlp: .red)
        try f.caseBook.open(id: "VU#123456", title: "Cross-site scripting", origin: "cert-cc", due: "2007-10-15", tlp: .amberStrict)
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme", "nihon-soft"])
        try f.caseBook.addParticipants(caseId: "VU#123456", organizations: ["nihon-soft"])
        let red = try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        #expect(red.allSatisfy { $0.cc.isEmpty && $0.tlp == "TLP:RED" })
        let amber = try f.composer.queue(NotificationRequest(caseId: "VU#123456", template: "vendor-initial", purpose: .caseNotification))
        #expect(amber.first?.cc == ["cto@nihon-soft.example"])
        _ = try f.dispatcher().run()
        let received = try f.sink.waitForMessages(count: 3)
        #expect(!received.flatMap(\.recipients).contains("ceo@acme.example"))
        #expect(received.filter { $0.recipients.contains("cto@nihon-soft.example") }.count == 1, "cc only for the AMBER+STRICT case")
        for message in received {
            let parsed = try ParsedMessage(bytes: message.bytes)
            let label = message.recipients.contains("cto@nihon-soft.example") ? "TLP:AMBER+STRICT" : "TLP:RED"
            let subject = try #require(parsed.subject)
            let body = try bodyText(message.bytes)
            #expect(subject.hasPrefix("[\(label)] ") && occurrences(of: "TLP:", in: subject) == 1)
            #expect(body.hasPrefix(label + "\r\n") || body.hasPrefix(label + "\n"), "the first line is the label, untranslated")
            #expect(occurrences(of: "TLP:", in: body) == 1)
        }
        #expect(try f.notifications().map(\.tlp) == [.red, .red, .amberStrict])
    }

    @Test func aFakedClockWalksACaseUpTheLadderAndALateReplyClearsIt() throws {
        let f = try GatewayFixture()
        try vendors(f)
        try f.addOrganization("certcc", name: "CERT Coordination Center", kind: "coordinator", country: "US", languages: ["en"],
                              contacts: [("cert@certcc.example", "to", "en", nil)])
        // TLP:AMBER: the coordinator may have a copy of the escalation (not at AMBER+STRICT, the default, nor RED).
        try f.caseBook.open(id: Self.caseId, title: "DNS cache poisoning", origin: "jvn-jp", due: "2007-12-01", tlp: .amber)
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme", "nihon-soft"])
        try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        _ = try f.dispatcher().run()
        // A stated status ends the reminders (an acknowledgement alone does not: see ReminderLadderTests).
        try f.caseBook.setResponse(caseId: Self.caseId, organizationId: "acme", response: .investigating)
        let policy = WorkspaceConfiguration.ReminderPolicy(coordinator: "certcc")
        func ladder(dryRun: Bool = false) throws -> [ReminderLadder.Action] {
            let actions = try ReminderLadder(composer: f.composer, policy: policy).apply(dryRun: dryRun)
            if !dryRun { _ = try f.dispatcher().run() }
            return actions
        }
        func steps(_ actions: [ReminderLadder.Action]) -> [String] { actions.map { "\($0.organizationId):\($0.step.rawValue)" } }

        f.clock.advance(days: 13)
        #expect(try ladder().isEmpty)
        f.clock.advance(days: 1)
        #expect(steps(try ladder()) == ["nihon-soft:reminder"], "day 14; acme answered and is left alone")
        f.clock.advance(days: 7)
        #expect(try ladder().isEmpty, "day 21")
        f.clock.advance(days: 7)
        #expect(steps(try ladder()) == ["nihon-soft:reminder"], "day 28")
        f.clock.advance(days: 14)
        let before = try f.notifications().count
        let preview = try ladder(dryRun: true)
        #expect(steps(preview) == ["nihon-soft:escalation"])
        #expect(try f.notifications().count == before, "a dry run queues nothing")
        let escalation = try ladder()
        #expect(steps(escalation) == ["nihon-soft:escalation"], "day 42")
        #expect(escalation[0].messages.map(\.organizationId) == preview[0].messages.map(\.organizationId))
        #expect(escalation[0].messages.map(\.organizationId) == ["nihon-soft", "certcc"])
        #expect(escalation[0].messages[0].to == ["psirt@nihon-soft.example"] && escalation[0].messages[0].cc == ["cto@nihon-soft.example"])
        let received = try f.sink.waitForMessages(count: 6)
        let coordinatorCopy = try bodyText(try #require(received.last { $0.recipients == ["cert@certcc.example"] }).bytes)
        #expect(coordinatorCopy.contains("Nihon-Soft Inc.") && coordinatorCopy.contains("42 days"))
        f.clock.advance(days: 17)
        #expect(try ladder().isEmpty, "day 59")
        f.clock.advance(days: 1)
        #expect(steps(try ladder()) == ["nihon-soft:unreachable"], "day 60")
        #expect(try f.participant(Self.caseId, "nihon-soft").unreachableAt == f.clock.now)
        f.clock.advance(days: 30)
        #expect(try ladder().isEmpty, "an unreachable participant gets no more mail")

        let listed = try f.store.reports.unreachableOrganizations()
        #expect(listed.map(\.organizationId) == ["nihon-soft"])
        let entry = try #require(listed.first?.cases.first)
        #expect(entry.caseId == Self.caseId && entry.attempts == 4)
        #expect(entry.addresses.map(\.email) == ["cto@nihon-soft.example", "psirt@nihon-soft.example"])
        #expect(entry.addresses.allSatisfy { $0.reason == .noAnswer })

        try f.caseBook.setResponse(caseId: Self.caseId, organizationId: "nihon-soft", response: .investigating)
        #expect(try f.participant(Self.caseId, "nihon-soft").unreachableAt == nil)
        #expect(try f.store.reports.unreachableOrganizations().isEmpty, "a late reply takes it off the list")
        let history = try f.store.events.events(objectType: "participant", objectId: "\(Self.caseId)|nihon-soft")
        #expect(history.map(\.action).filter { ["participant.escalated", "participant.unreachable", "participant.reachable"].contains($0) }
                == ["participant.escalated", "participant.unreachable", "participant.reachable"])
    }
}
