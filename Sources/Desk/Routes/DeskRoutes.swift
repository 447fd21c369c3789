import Foundation
import Hummingbird
import Registry

/// Every area of the desk, registered in one place: add one line for a new area.
enum DeskRoutes {
    static func registerAll(on router: DeskRouter, desk: Desk) {
        StaticRoutes.register(on: router, desk: desk)
        LoginRoutes.register(on: router, desk: desk)
        CasesRoutes.register(on: router, desk: desk)
        InboxRoutes.register(on: router, desk: desk)
        OutboxRoutes.register(on: router, desk: desk)
        DirectoryRoutes.register(on: router, desk: desk)
        ReportsRoutes.register(on: router, desk: desk)
        AuditRoutes.register(on: router, desk: desk)
        AnswerRoutes.register(on: router, desk: desk)
    }

    /// `text` when it is a path on this server (`/…`, not `//…`), else nil: a redirect never leaves the desk.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"),
              !text.contains(where: { $0.isNewline || $0.isWhitespace }) else { return nil }
        return text
    }

    /// One line for a refusal: the gateway's or registry's sentence, several problems joined with `; `.
    static func line(for error: any Error) -> String {
        if let explained = RegistryStore.explain(error) { return explained }
        let text = String(describing: error)
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
    }
}
