import Foundation

/// What `case import` did.
public struct CaseImportOutcome: Sendable, Equatable {
    public let added: Int
    public let unchanged: Int
    public let participantsAdded: Int
}

/// Writes past cases read by `CaseImportFile` into the registry, all or nothing.
///
/// A case already in the registry with the same title, origin, dates and due is left as it is, so importing a
/// file again changes nothing; one that differs is a problem. Each new case gets the `case.opened` (and
/// `case.published`) events the quarterly report and its event-log recount read, so running totals are
/// right from the first quarter.
extension CaseStore {
    func importCases(_ cases: [ImportedCase], file: String, at date: Date, actor: String) throws -> CaseImportOutcome {
        try engine.write { session in
            var problems: [String] = []
            var added = 0, unchanged = 0, participantsAdded = 0
            for item in cases {
                for org in item.participants
                where try session.value("SELECT id FROM organization WHERE id = ?", org, as: String.self) == nil {
                    problems.append("\(file):\(item.line): no organisation \(org) in the directory")
                }
                if let existing = try Self.caseRecord(session, item.id) {
                    var differences: [String] = []
                    if existing.title != item.title { differences.append("title") }
                    if item.titleJa != nil, existing.titleJa != item.titleJa { differences.append("title_ja") }
                    if existing.origin != item.origin { differences.append("origin") }
                    if existing.openedAt != item.openedAt { differences.append("opened") }
                    if existing.publishedAt != item.publishedAt { differences.append("published") }
                    if existing.due != item.due { differences.append("due") }
                    if !differences.isEmpty {
                        problems.append("\(file):\(item.line): case \(item.id) is already in the registry with another \(differences.joined(separator: ", "))")
                    }
                }
            }
            if !problems.isEmpty { throw RegistryError.invalidArgument(problems.joined(separator: "\n")) }
            let iso = ISO8601DateFormatter()
            for item in cases {
                if try Self.caseRecord(session, item.id) != nil {
                    unchanged += 1
                } else {
                    try session.insert(CaseRecord(id: item.id, title: item.title, origin: item.origin, openedAt: item.openedAt,
                                                  publishedAt: item.publishedAt, due: item.due, titleJa: item.titleJa))
                    var data: [String: EventValue] = [
                        "title": .string(item.title), "origin": .string(item.origin), "due": .optional(item.due?.description),
                        "openedAt": .string(iso.string(from: item.openedAt)), "importedFrom": .string(file),
                    ]
                    if let titleJa = item.titleJa { data["titleJa"] = .string(titleJa) }
                    try EventLog.append(session, actor: actor, action: "case.opened", objectType: "case", objectId: item.id,
                                        data: data, at: date)
                    if let published = item.publishedAt {
                        try EventLog.append(session, actor: actor, action: "case.published", objectType: "case", objectId: item.id, data: [
                            "origin": .string(item.origin), "publishedAt": .string(iso.string(from: published)), "importedFrom": .string(file),
                        ], at: date)
                    }
                    added += 1
                }
                for org in item.participants where try Self.participant(session, caseId: item.id, organizationId: org) == nil {
                    try session.insert(ParticipantRecord(caseId: item.id, organizationId: org, addedAt: item.openedAt))
                    try EventLog.append(session, actor: actor, action: "participant.added", objectType: "participant",
                                        objectId: "\(item.id)|\(org)",
                                        data: ["caseId": .string(item.id), "organizationId": .string(org), "importedFrom": .string(file)], at: date)
                    participantsAdded += 1
                }
            }
            return CaseImportOutcome(added: added, unchanged: unchanged, participantsAdded: participantsAdded)
        }
    }
}
