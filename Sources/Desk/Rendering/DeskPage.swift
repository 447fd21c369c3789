import Foundation
import Hummingbird

/// A page of the desk: a view model that is both the HTML page (through `template`) and the JSON of `/api/<path>`.
///
/// ```swift
/// struct InboxPage: DeskPage {
///     static let template = DeskTemplates.inbox
///     static let section = DeskSection.inbox
///     let title: String
///     let messages: [Message]
/// }
/// ```
public protocol DeskPage: Encodable, Sendable {
    /// The template that renders the page.
    static var template: DeskTemplate { get }
    /// The navigation entry shown as current.
    static var section: DeskSection { get }
    /// The page's title (in the page language), for `<title>` and the heading.
    var title: String { get }
    /// What the template reads as `page` (dictionaries, arrays and strings, `MustacheValueEncoder`): the page
    /// itself, unless parts of it are written by `htmlParts`.
    func templateModel() throws -> Any
    /// Parts of the page written in Swift with `DeskHTML` (every outside text escaped there), by name, for the parts
    /// that grow with the data: the template marks where each goes with `{{{html.NAME}}}` and the renderer writes its
    /// bytes there. `labels` are the page language's. None by default.
    func htmlParts(labels: [String: String]) -> [String: DeskHTML]
}

extension DeskPage {
    public func templateModel() throws -> Any { try MustacheValueEncoder.encode(self) }
    public func htmlParts(labels: [String: String]) -> [String: DeskHTML] { [:] }
}

/// The desk's navigation entries, in the order of the navigation bar.
public enum DeskSection: String, Sendable, CaseIterable, Codable {
    case cases, inbox, outbox, directory, reports, audit, none

    /// Where the entry leads.
    func href(quarter: String) -> String {
        switch self {
        case .reports: return "/reports/quarter/\(quarter)"
        case .none: return "/"
        default: return "/\(rawValue)"
        }
    }
}
