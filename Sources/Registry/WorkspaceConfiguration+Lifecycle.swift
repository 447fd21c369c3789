import Foundation
import Yams

extension WorkspaceConfiguration {
    /// Defaults for new cases (`cases:` in liaison.yaml).
    public struct Cases: Sendable, Equatable {
        /// Days from opening to the planned publication when `case open` has no `--due` (CERT/CC's 45).
        public var embargoDays: Int
        /// The TLP level of a case opened without `--tlp`.
        public var tlp: TrafficLightProtocol
        /// The partners a case may come from (`cases.origins`): `case open --origin` and `case import` refuse others.
        public var origins: [String]
        /// The TLP level `case publish` lowers a case to (`cases.publication_tlp`), unless `--tlp` says otherwise.
        public var publicationTLP: TrafficLightProtocol

        /// The partners Liaison ships with: reports via IPA (JVN), CERT/CC and CPNI.
        public static let shippedOrigins = CaseOrigin.known.map(\.rawValue)

        public init(embargoDays: Int = 45, tlp: TrafficLightProtocol = .defaultLevel, origins: [String] = Cases.shippedOrigins,
                    publicationTLP: TrafficLightProtocol = .clear) {
            self.embargoDays = embargoDays
            self.tlp = tlp
            self.origins = origins
            self.publicationTLP = publicationTLP
        }
    }

    /// The reminder ladder (`reminders:` in liaison.yaml): days since the first notification, without a response.
    public struct ReminderPolicy: Sendable, Equatable {
        /// Days before the first reminder.
        public var firstAfterDays: Int
        /// Days before the second reminder.
        public var secondAfterDays: Int
        /// Days before the escalation to every contact of the organisation (and the coordinator).
        public var escalateAfterDays: Int
        /// Days before the organisation is marked unreachable in the case.
        public var unreachableAfterDays: Int
        /// An organisation id (such as `cert-cc`) that receives a copy of each escalation; nil for none.
        public var coordinator: String?

        public init(firstAfterDays: Int = 14, secondAfterDays: Int = 28, escalateAfterDays: Int = 42,
                    unreachableAfterDays: Int = 60, coordinator: String? = nil) {
            self.firstAfterDays = firstAfterDays
            self.secondAfterDays = secondAfterDays
            self.escalateAfterDays = escalateAfterDays
            self.unreachableAfterDays = unreachableAfterDays
            self.coordinator = coordinator
        }

        /// The steps in order, as one line for messages: `14, 28, 42, 60 days`.
        public var summary: String {
            "reminders after \(firstAfterDays) and \(secondAfterDays) days, escalation after \(escalateAfterDays), unreachable after \(unreachableAfterDays)"
        }
    }

    /// The zone in which the workspace's dates are shown and quarters computed: the top-level `timezone`,
    /// else the older `report.timezone` (the same as ``timeZone``).
    public var workspaceTimeZone: TimeZone { timeZone }

    /// Reads `cases:`.
    mutating func readCases(_ node: Node, with reader: inout YAMLFields) {
        guard let fields = reader.fields(of: node, what: "cases", allowed: ["embargo_days", "tlp", "origins", "publication_tlp"]) else { return }
        for (name, _, value) in fields.entries {
            if name == "origins" {
                let listed = reader.list(value, field: "cases.origins")
                for (origin, line) in listed where !CaseOrigin.isWellFormed(origin) {
                    reader.error(line, "each of cases.origins must be a partner id of lower-case letters, digits and -, such as cert-cc, not \"\(origin)\"")
                }
                if listed.isEmpty { reader.error(YAMLFields.line(value), "cases.origins must name at least one partner, such as [jvn-jp, cert-cc, cpni]") }
                else { cases.origins = listed.map(\.0) }
                continue
            }
            guard let text = reader.singleLine(value, field: "cases.\(name)") else { continue }
            if name == "embargo_days" {
                if let days = Int(text), (1...3650).contains(days) { cases.embargoDays = days }
                else { reader.error(YAMLFields.line(value), "cases.embargo_days must be a whole number of days from 1 to 3650, not \"\(text)\"") }
            } else if let level = TrafficLightProtocol(label: text) {
                if name == "tlp" { cases.tlp = level } else { cases.publicationTLP = level }
            } else {
                reader.error(YAMLFields.line(value), "cases.\(name) must be one of \(TrafficLightProtocol.choices), not \"\(text)\"")
            }
        }
    }

    /// Reads `reminders:`; the steps must come in order.
    mutating func readReminders(_ node: Node, with reader: inout YAMLFields) {
        let names = ["first_after_days", "second_after_days", "escalate_after_days", "unreachable_after_days", "coordinator"]
        guard let fields = reader.fields(of: node, what: "reminders", allowed: names) else { return }
        for (name, _, value) in fields.entries {
            guard let text = reader.singleLine(value, field: "reminders.\(name)") else { continue }
            if name == "coordinator" { reminders.coordinator = text; lines["reminders.coordinator"] = YAMLFields.line(value); continue }
            guard let days = Int(text), (1...3650).contains(days) else {
                reader.error(YAMLFields.line(value), "reminders.\(name) must be a whole number of days from 1 to 3650, not \"\(text)\"")
                continue
            }
            switch name {
            case "first_after_days": reminders.firstAfterDays = days
            case "second_after_days": reminders.secondAfterDays = days
            case "escalate_after_days": reminders.escalateAfterDays = days
            default: reminders.unreachableAfterDays = days
            }
        }
        let steps = [reminders.firstAfterDays, reminders.secondAfterDays, reminders.escalateAfterDays, reminders.unreachableAfterDays]
        if steps != steps.sorted() || Set(steps).count != steps.count {
            reader.error(fields.line, "reminders: the days must grow: first < second < escalate < unreachable (now \(steps.map(String.init).joined(separator: ", ")))")
        }
    }
}
