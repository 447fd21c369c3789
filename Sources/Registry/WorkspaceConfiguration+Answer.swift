import Foundation
import Yams

extension WorkspaceConfiguration {
    /// The vendors' answer link (`answer:` in liaison.yaml).
    public struct Answer: Sendable, Equatable {
        /// Where `liaison serve` is reachable from outside, `https://csirt.example` (`answer.base_url`); links are
        /// `<base_url>/answer/<token>`. Nil: no link in any message, and nothing else changes.
        public var baseURL: String?
        /// Days a link stays valid after its case is published (`answer.grace_days`).
        public var graceDays = Answer.defaultGraceDays
        /// Days a link stays valid at most while its case is not published (`answer.open_days`): a bound on a
        /// case left open for ever; the next message after it issues a new link.
        public var openDays = Answer.defaultOpenDays
        /// Submissions a link may make in 10 minutes (`answer.rate_limit`); a client address may make four times as many.
        public var rateLimit = Answer.defaultRateLimit
        public static let defaultGraceDays = 30
        public static let defaultOpenDays = 365
        public static let defaultRateLimit = 30
        public init(baseURL: String? = nil, graceDays: Int = Answer.defaultGraceDays, openDays: Int = Answer.defaultOpenDays) {
            self.baseURL = baseURL; self.graceDays = graceDays; self.openDays = openDays
        }
    }

    /// Reads `answer:`.
    mutating func readAnswer(_ node: Node, with reader: inout YAMLFields) {
        guard let fields = reader.fields(of: node, what: "answer", allowed: ["base_url", "grace_days", "open_days", "rate_limit"]) else { return }
        for (name, _, value) in fields.entries {
            guard let text = reader.singleLine(value, field: "answer.\(name)") else { continue }
            lines["answer.\(name)"] = YAMLFields.line(value)
            switch name {
            case "base_url":
                let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
                if let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
                   url.host?.isEmpty == false, url.query == nil, url.fragment == nil, !trimmed.contains(" ") {
                    answer.baseURL = trimmed
                } else {
                    reader.error(YAMLFields.line(value), "answer.base_url must be an https URL such as https://csirt.example, not \"\(text)\"")
                }
            case "rate_limit":
                if let count = Int(text), (1...100_000).contains(count) {
                    answer.rateLimit = count
                } else {
                    reader.error(YAMLFields.line(value), "answer.rate_limit must be a whole number of submissions from 1 to 100000, not \"\(text)\"")
                }
            default:
                if let days = Int(text), (1...3650).contains(days) {
                    if name == "grace_days" { answer.graceDays = days } else { answer.openDays = days }
                } else {
                    reader.error(YAMLFields.line(value), "answer.\(name) must be a whole number of days from 1 to 3650, not \"\(text)\"")
                }
            }
        }
    }
}
