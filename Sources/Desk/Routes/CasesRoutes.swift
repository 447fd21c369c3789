import Foundation
import Gateway
import Hummingbird
import Registry

/// The cases area: `/cases` (open cases) and, as JSON, `/api/cases`.
enum CasesRoutes {
    static func register(on router: Router<DeskRequestContext>, desk: Desk) {
        router.page("/cases", desk: desk) { _, context in
            try CasesPage(services: desk.services(for: context), context: context)
        }
    }
}

/// `/cases`: the open cases.
struct CasesPage: DeskPage {
    static let template = DeskTemplates.cases
    static let section = DeskSection.cases
    let title: String
    let cases: [Row]

    struct Row: Encodable, Sendable {
        let id: String
        let href: String
        let title: String
        let due: String?
    }

    init(services: WorkspaceServices, context: DeskRequestContext) throws {
        title = context.labels["cases_title"] ?? "Cases"
        cases = try services.caseBook().list(openOnly: true).map { summary in
            Row(id: summary.record.id, href: "/cases/" + DeskPaths.segment(summary.record.id),
                title: summary.record.title, due: summary.record.due)
        }
    }
}

/// Paths of the desk.
public enum DeskPaths {
    /// `text` as one path segment: every character but letters, digits, `-`, `.`, `_`, `~` percent-encoded
    /// (a case id's `#` becomes `%23`).
    public static func segment(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        allowed.remove(charactersIn: "")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A path segment captured by the router, percent-decoded (`JVNVU%2312345678` → `JVNVU#12345678`).
    public static func decoded(_ segment: String) -> String {
        segment.removingPercentEncoding ?? segment
    }
}
