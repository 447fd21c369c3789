import Foundation
import Gateway
import Hummingbird
import Registry

/// The audit area: `/audit`, the state of the event log as `liaison audit verify` finds it (intact, or the first
/// break; every seal of .liaison/seals/ checked), the latest seal, and the latest events with their actors.
enum AuditRoutes {
    static func register(on router: DeskRouter, desk: Desk) {
        router.page("/audit", desk: desk) { request, context in
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 100
            return try AuditPage(services: desk.services(for: context), context: context, limit: limit)
        }
    }
}

/// `/audit`: whether the hash chain is intact (or where it breaks), whether it matches its seals, the latest seal
/// (time, event count, signer), and the latest events, newest first, each with who did it.
struct AuditPage: DeskPage {
    static let template = DeskTemplates.audit
    static let section = DeskSection.audit
    let title: String
    /// The chain recomputes and every seal matches.
    let verified: Bool
    let chainIntact: Bool
    let eventCount: Int?
    /// `audit verify`'s sentence: intact with its count, or the first break.
    let chainLine: String
    /// The first break's event id, when there is one.
    let breakEventId: Int64?
    /// Seals that do not match the log (or do not verify), one line each.
    let sealProblems: [String]
    let sealsMatched: Int
    let latestSeal: Seal?
    let events: [EventRow]

    struct Seal: Encodable, Sendable {
        let sealedAt: Date
        let sealed: String
        let eventCount: Int
        let signer: String
        let file: String?
    }

    struct EventRow: Encodable, Sendable {
        let id: Int64
        let at: Date
        let time: String
        let actor: String
        let action: String
        let objectType: String
        let objectId: String
    }

    init(services: WorkspaceServices, context: DeskRequestContext, limit: Int) throws {
        title = context.labels["audit_title"] ?? "Audit log"
        let workspace = services.workspace
        let files = AuditSeals.files(of: workspace)
        let (chain, seals) = try AuditSeals.verify(files, store: services.store,
                                                   signingKey: files.isEmpty ? nil : services.configuration.sender.signingKey,
                                                   gnupgHome: services.gnupgHome, relativeTo: workspace)
        chainIntact = chain.isIntact
        chainLine = chain.description
        switch chain {
        case .intact(let count): eventCount = count; breakEventId = nil
        case .broken(let id, _, _): eventCount = nil; breakEventId = id
        }
        sealProblems = chain.isIntact ? seals.problems : []
        sealsMatched = seals.matched.count
        verified = chain.isIntact && seals.problems.isEmpty
        let dates = services.dates
        latestSeal = (seals.matched.max { ($0.eventCount, $0.sealedAt) < ($1.eventCount, $1.sealedAt) } ?? AuditSeals.latest(of: workspace)).map {
            Seal(sealedAt: $0.sealedAt, sealed: dates.timeText($0.sealedAt), eventCount: $0.eventCount, signer: $0.signer,
                 file: $0.file.map { workspace.relativePath(of: $0) })
        }
        events = try services.store.events.latest(limit: limit).map {
            EventRow(id: $0.id, at: $0.at, time: dates.timeText($0.at), actor: $0.actor, action: $0.action,
                     objectType: $0.objectType, objectId: $0.objectId)
        }
    }
}
