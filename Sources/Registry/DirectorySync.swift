import Foundation

/// What a `directory sync` found and did.
public struct DirectorySyncResult: Sendable {
    /// Every problem of the directory; with any error, nothing was changed.
    public var problems: [DirectoryProblem]
    /// What was changed (or, in a dry run, would be), in the order applied.
    public var changes: [DirectoryChange]
    /// Whether the changes were written (false on a dry run or when the directory has errors).
    public var applied: Bool
    /// How many keys were imported into the GnuPG home.
    public var importedKeys: Int
    /// The GnuPG home keys go to.
    public var gnupgHome: String

    /// How many of the problems are errors.
    public var errorCount: Int { problems.filter { $0.severity == .error }.count }
}

/// Applies `Directory/` to the registry database in one transaction: adds, changes field by field, retires
/// organisations whose file was removed (never deleting them), appends one event per change, and imports
/// the keys into the workspace's GnuPG home. Any error of the directory leaves the database as it was.
///
/// ```swift
/// let result = try DirectorySync(workspace: workspace, store: store).run(dryRun: false)
/// result.changes.forEach { print($0) }
/// ```
public struct DirectorySync: Sendable {
    public var workspace: Workspace
    public var store: RegistryStore
    /// Reads and checks `Directory/`.
    public var loader: DirectoryLoader
    /// Puts the directory's keys into the GnuPG home.
    public var importer: any KeyImporter
    /// Who the events are recorded as.
    public var actor: String
    /// The time of the events and of retirements.
    public var now: Date
    /// The environment the GnuPG home is resolved with when the configuration does not name one.
    public var environment: [String: String]

    public init(workspace: Workspace, store: RegistryStore, loader: DirectoryLoader = DirectoryLoader(),
                importer: any KeyImporter = OpenPGPKeyImporter(), actor: String = EventLog.defaultActor,
                now: Date = Date(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.workspace = workspace
        self.store = store
        self.loader = loader
        self.importer = importer
        self.actor = actor
        self.now = now
        self.environment = environment
    }

    /// What a sync would change, without writing anything (`run(dryRun: true)`).
    public func plan() throws -> DirectorySyncResult {
        try run(dryRun: true)
    }

    /// Loads and checks the directory, then applies it (or, with `dryRun`, only plans it).
    public func run(dryRun: Bool = false) throws -> DirectorySyncResult {
        let configuration = try workspace.configuration
        let home = workspace.gnupgHome(configuration: configuration, environment: environment)
        var loader = self.loader
        loader.now = now
        let (contents, problems) = loader.load(workspace)
        var result = DirectorySyncResult(problems: problems, changes: [], applied: false, importedKeys: 0, gnupgHome: home)
        guard result.errorCount == 0 else { return result }
        let retiredOn = configuration.dates.day(of: now)
        if dryRun {
            result.changes = try store.directory.syncChanges(contents, retiredOn: retiredOn)
            return result
        }
        // Inside the transaction: if GnuPG fails, the database is left as it was.
        let (changes, imported) = try store.directory.sync(contents, retiredOn: retiredOn, actor: actor, at: now) { changed in
            try importKeys(contents, changed: changed, home: home)
        }
        result.changes = changes
        result.importedKeys = imported
        result.applied = true
        return result
    }

    // MARK: Planning

    enum Operation {
        case insertOrganization(OrganizationDefinition)
        case updateOrganization(OrganizationDefinition, memberships: Bool, agreements: Bool)
        case retireOrganization(String, CalendarDate)
        case insertContact(ContactDefinition, organizationId: String)
        case updateContact(Int64, ContactDefinition, organizationId: String)
        case deactivateContact(Int64)
        case upsertKey(PublicKey)
    }

    struct Step {
        var operation: Operation
        var change: DirectoryChange
        var eventData: EventValue
    }

    /// Compares the directory with the database, in memory, and lists what to do.
    static func plan(_ contents: DirectoryContents, in session: any SQLSession, retiredOn: CalendarDate) throws -> [Step] {
        var steps: [Step] = []
        let stored = try session.records(Organization.self, "SELECT * FROM organization")
        let storedById = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let memberships = Dictionary(grouping: try session.records(Membership.self, "SELECT * FROM membership ORDER BY id"), by: \.organizationId)
        let agreements = Dictionary(grouping: try session.records(Agreement.self, "SELECT * FROM agreement ORDER BY id"), by: \.organizationId)

        var inFiles = Set<String>()
        for definition in contents.definitions {
            inFiles.insert(definition.id)
            guard let current = storedById[definition.id] else {
                steps.append(Step(operation: .insertOrganization(definition),
                                  change: DirectoryChange(action: .added, objectType: "organization", objectId: definition.id),
                                  eventData: organizationFields(definition)))
                continue
            }
            let currentMemberships = (memberships[definition.id] ?? []).map {
                MembershipDefinition(body: $0.body, role: $0.role, since: $0.since, until: $0.until)
            }
            let currentAgreements = (agreements[definition.id] ?? []).compactMap { agreement in
                agreement.signed.map { AgreementDefinition(kind: agreement.kind, signed: $0, ended: agreement.ended) }
            }
            var fields: [FieldChange] = []
            func compare(_ name: String, _ old: EventValue, _ new: EventValue) {
                if old != new { fields.append(FieldChange(name: name, old: old, new: new)) }
            }
            compare("name", .string(current.name), .string(definition.name))
            compare("localName", .optional(current.localName), .optional(definition.localName))
            compare("kind", .string(current.kind.rawValue), .string(definition.kind.rawValue))
            compare("country", .string(current.country), .string(definition.country))
            compare("domains", strings(current.domains), strings(definition.domains))
            compare("languages", strings(current.languages), strings(definition.languages))
            compare("technologies", strings(current.technologies), strings(definition.technologies))
            compare("status", .string(current.status.rawValue), .string(definition.status.rawValue))
            compare("statusDate", .optional(current.statusDate?.description), .optional(definition.statusDate?.description))
            compare("notes", .optional(current.notes), .optional(definition.notes))
            let oldMemberships = sortedValues(currentMemberships.map(value))
            let newMemberships = sortedValues(definition.memberships.map(value))
            compare("memberships", oldMemberships, newMemberships)
            let oldAgreements = sortedValues(currentAgreements.map(value))
            let newAgreements = sortedValues(definition.agreements.map(value))
            compare("agreements", oldAgreements, newAgreements)
            guard !fields.isEmpty else { continue }
            steps.append(Step(
                operation: .updateOrganization(definition, memberships: oldMemberships != newMemberships,
                                               agreements: oldAgreements != newAgreements),
                change: DirectoryChange(action: .changed, objectType: "organization", objectId: definition.id, fields: fields),
                eventData: changeData(fields)))
        }
        for organization in stored.sorted(by: { $0.id < $1.id })
        where !inFiles.contains(organization.id) && organization.status == .active {
            let fields = [FieldChange(name: "status", old: .string("active"), new: .string("retired")),
                          FieldChange(name: "statusDate", old: .optional(organization.statusDate?.description), new: .string(retiredOn.description))]
            steps.append(Step(operation: .retireOrganization(organization.id, retiredOn),
                              change: DirectoryChange(action: .retired, objectType: "organization", objectId: organization.id, fields: fields),
                              eventData: changeData(fields)))
        }

        try planContacts(contents, in: session, into: &steps)
        try planKeys(contents, in: session, into: &steps)
        return steps
    }

    private static func planContacts(_ contents: DirectoryContents, in session: any SQLSession, into steps: inout [Step]) throws {
        let stored = try session.records(Contact.self, "SELECT * FROM contact ORDER BY id")
        var byAddress = Dictionary(stored.map { ($0.email.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        for definition in contents.definitions {
            for contact in definition.contacts {
                let address = contact.email.lowercased()
                guard let current = byAddress.removeValue(forKey: address) else {
                    steps.append(Step(
                        operation: .insertContact(contact, organizationId: definition.id),
                        change: DirectoryChange(action: .added, objectType: "contact", objectId: contact.email, organizationId: definition.id),
                        eventData: contactFields(contact, organizationId: definition.id)))
                    continue
                }
                var fields: [FieldChange] = []
                func compare(_ name: String, _ old: EventValue, _ new: EventValue) {
                    if old != new { fields.append(FieldChange(name: name, old: old, new: new)) }
                }
                compare("email", .string(current.email), .string(contact.email))
                compare("organization", .string(current.organizationId), .string(definition.id))
                compare("name", .optional(current.name), .optional(contact.name))
                compare("role", .string(current.role.rawValue), .string(contact.role.rawValue))
                compare("language", .optional(current.language), .optional(contact.language))
                compare("pgp", .optional(current.pgp), .optional(contact.pgp))
                compare("active", .bool(current.active), .bool(contact.active))
                guard !fields.isEmpty, let id = current.id else { continue }
                steps.append(Step(
                    operation: .updateContact(id, contact, organizationId: definition.id),
                    change: DirectoryChange(action: .changed, objectType: "contact", objectId: contact.email,
                                            organizationId: definition.id, fields: fields),
                    eventData: changeData(fields)))
            }
        }
        for contact in byAddress.values.sorted(by: { $0.email < $1.email }) where contact.active {
            guard let id = contact.id else { continue }
            let fields = [FieldChange(name: "active", old: .bool(true), new: .bool(false))]
            var data = changeData(fields)
            if case .object(var members) = data {
                members["organization"] = .string(contact.organizationId)
                data = .object(members)
            }
            steps.append(Step(operation: .deactivateContact(id),
                              change: DirectoryChange(action: .removed, objectType: "contact", objectId: contact.email,
                                                      organizationId: contact.organizationId, fields: fields),
                              eventData: data))
        }
    }

    private static func planKeys(_ contents: DirectoryContents, in session: any SQLSession, into steps: inout [Step]) throws {
        let stored = try session.records(PublicKey.self, "SELECT * FROM key")
        let byFingerprint = Dictionary(stored.map { ($0.fingerprint, $0) }, uniquingKeysWith: { first, _ in first })
        for file in contents.keys {
            let record = file.record
            let data = keyFields(record)
            if let current = byFingerprint[record.fingerprint] {
                guard current.armored != record.armored else { continue }
                var fields: [FieldChange] = []
                let old = keyFields(current)
                if case .object(let oldMembers) = old, case .object(let newMembers) = data {
                    for name in newMembers.keys.sorted() where oldMembers[name] != newMembers[name] {
                        fields.append(FieldChange(name: name, old: oldMembers[name] ?? .null, new: newMembers[name]!))
                    }
                }
                if fields.isEmpty { fields.append(FieldChange(name: "armored", old: "previous file", new: "new file")) }
                steps.append(Step(operation: .upsertKey(record),
                                  change: DirectoryChange(action: .imported, objectType: "key", objectId: record.fingerprint, fields: fields),
                                  eventData: changeData(fields)))
            } else {
                steps.append(Step(operation: .upsertKey(record),
                                  change: DirectoryChange(action: .imported, objectType: "key", objectId: record.fingerprint),
                                  eventData: data))
            }
        }
    }

    // MARK: Applying

    /// Writes `plan` and its events inside the caller's transaction: the writes sent back to back
    /// (`SQLSession.executeLater`: on PostgreSQL the transaction waits once, not once per row), then the events,
    /// in the plan's order, with multi-row inserts.
    static func apply(_ plan: [Step], in session: any SQLSession, actor: String, at now: Date) throws {
        guard !plan.isEmpty else { return }
        var events: [EventChain.AnyEvent] = []
        for step in plan {
            switch step.operation {
            case .insertOrganization(let definition):
                try session.executeLater("""
                    INSERT INTO organization (id, name, localName, kind, country, domains, languages, technologies,
                                              status, statusDate, notes, createdAt, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, organizationArguments(definition) + [now.sqlValue, now.sqlValue])
                try insertMemberships(definition, in: session)
                try insertAgreements(definition, in: session)
            case .updateOrganization(let definition, let membershipsChanged, let agreementsChanged):
                try session.executeLater("""
                    UPDATE organization SET id = ?, name = ?, localName = ?, kind = ?, country = ?, domains = ?,
                        languages = ?, technologies = ?, status = ?, statusDate = ?, notes = ?, updatedAt = ?
                    WHERE id = ?
                    """, organizationArguments(definition) + [now.sqlValue, .text(definition.id)])
                if membershipsChanged {
                    try session.executeLater("DELETE FROM membership WHERE organizationId = ?", definition.id)
                    try insertMemberships(definition, in: session)
                }
                if agreementsChanged {
                    try session.executeLater("DELETE FROM agreement WHERE organizationId = ?", definition.id)
                    try insertAgreements(definition, in: session)
                }
            case .retireOrganization(let id, let date):
                try session.executeLater("UPDATE organization SET status = 'retired', statusDate = ?, updatedAt = ? WHERE id = ?",
                                    date.description, now, id)
            case .insertContact(let contact, let organizationId):
                try session.executeLater("""
                    INSERT INTO contact (organizationId, email, name, role, language, pgp, active) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, organizationId, contact.email, contact.name, contact.role.rawValue, contact.language, contact.pgp,
                    contact.active)
            case .updateContact(let id, let contact, let organizationId):
                try session.executeLater("""
                    UPDATE contact SET organizationId = ?, email = ?, name = ?, role = ?, language = ?, pgp = ?, active = ?
                    WHERE id = ?
                    """, organizationId, contact.email, contact.name, contact.role.rawValue, contact.language, contact.pgp,
                    contact.active, id)
            case .deactivateContact(let id):
                try session.executeLater("UPDATE contact SET active = 0 WHERE id = ?", id)
            case .upsertKey(let key):
                try session.executeLater("""
                    INSERT INTO key (fingerprint, armored, userIds, algorithm, createdAt, expiresAt, revoked)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (fingerprint) DO UPDATE SET armored = excluded.armored, userIds = excluded.userIds,
                        algorithm = excluded.algorithm, createdAt = excluded.createdAt, expiresAt = excluded.expiresAt,
                        revoked = excluded.revoked
                    """, key.fingerprint, key.armored, Self.strings(key.userIds).canonicalJSON, key.algorithm, key.createdAt,
                    key.expiresAt, key.revoked)
            }
            events.append((action: step.change.eventAction, objectType: step.change.objectType, objectId: step.change.objectId,
                           data: step.eventData, at: now))
        }
        var chain = try EventChain(session)
        try chain.append(session, actor: actor, events)
    }

    private static func organizationArguments(_ definition: OrganizationDefinition) -> [SQLValue] {
        [.text(definition.id), .text(definition.name), definition.localName.sqlValue, .text(definition.kind.rawValue),
         .text(definition.country), .text(Self.strings(definition.domains).canonicalJSON),
         .text(Self.strings(definition.languages).canonicalJSON), .text(Self.strings(definition.technologies).canonicalJSON),
         .text(definition.status.rawValue), definition.statusDate?.description.sqlValue ?? .null, definition.notes.sqlValue]
    }

    private static func insertMemberships(_ definition: OrganizationDefinition, in session: any SQLSession) throws {
        for membership in definition.memberships {
            try session.executeLater("INSERT INTO membership (organizationId, body, role, since, until) VALUES (?, ?, ?, ?, ?)",
                                definition.id, membership.body, membership.role.rawValue, membership.since?.description,
                                membership.until?.description)
        }
    }

    private static func insertAgreements(_ definition: OrganizationDefinition, in session: any SQLSession) throws {
        for agreement in definition.agreements {
            try session.executeLater("INSERT INTO agreement (organizationId, kind, signed, ended) VALUES (?, ?, ?, ?)",
                                definition.id, agreement.kind, agreement.signed.description, agreement.ended?.description)
        }
    }

    /// Imports the keys that changed, and any directory key the GnuPG home lacks (a new or wiped home).
    private func importKeys(_ contents: DirectoryContents, changed: Set<String>, home: String) throws -> Int {
        guard !contents.keys.isEmpty else { return 0 }
        let present = try importer.fingerprints(inHome: home)
        let needed = contents.keys.filter { changed.contains($0.key.fingerprint) || !present.contains($0.key.fingerprint) }
        try importer.importKeys(needed.map { Data($0.armored.utf8) }, intoHome: home)
        return needed.count
    }

    // MARK: Values for events and comparisons

    static func strings(_ values: [String]) -> EventValue { .array(values.map(EventValue.string)) }

    static func value(_ membership: MembershipDefinition) -> EventValue {
        var members: [String: EventValue] = ["body": .string(membership.body), "role": .string(membership.role.rawValue)]
        if let since = membership.since { members["since"] = .string(since.description) }
        if let until = membership.until { members["until"] = .string(until.description) }
        return .object(members)
    }

    static func value(_ agreement: AgreementDefinition) -> EventValue {
        var members: [String: EventValue] = ["kind": .string(agreement.kind), "signed": .string(agreement.signed.description)]
        if let ended = agreement.ended { members["ended"] = .string(ended.description) }
        return .object(members)
    }

    /// Order does not matter in lists of memberships and agreements: moving a line is not a change.
    static func sortedValues(_ values: [EventValue]) -> EventValue {
        .array(values.sorted { $0.canonicalJSON < $1.canonicalJSON })
    }

    static func organizationFields(_ definition: OrganizationDefinition) -> EventValue {
        .object([
            "name": .string(definition.name), "localName": .optional(definition.localName),
            "kind": .string(definition.kind.rawValue), "country": .string(definition.country),
            "domains": strings(definition.domains), "languages": strings(definition.languages),
            "technologies": strings(definition.technologies), "status": .string(definition.status.rawValue),
            "statusDate": .optional(definition.statusDate?.description), "notes": .optional(definition.notes),
            "memberships": .array(definition.memberships.map(value)), "agreements": .array(definition.agreements.map(value)),
        ])
    }

    static func contactFields(_ contact: ContactDefinition, organizationId: String) -> EventValue {
        .object([
            "organization": .string(organizationId), "name": .optional(contact.name), "role": .string(contact.role.rawValue),
            "language": .optional(contact.language), "pgp": .optional(contact.pgp), "active": .bool(contact.active),
        ])
    }

    static func keyFields(_ key: PublicKey) -> EventValue {
        func day(_ date: Date?) -> EventValue { .optional(date.map { EventLog.timestamp($0) }) }
        return .object([
            "userIds": strings(key.userIds), "algorithm": .string(key.algorithm), "created": day(key.createdAt),
            "expires": day(key.expiresAt), "revoked": .bool(key.revoked),
        ])
    }

    static func changeData(_ fields: [FieldChange]) -> EventValue {
        .object(Dictionary(fields.map { ($0.name, EventValue.object(["old": $0.old, "new": $0.new])) },
                           uniquingKeysWith: { first, _ in first }))
    }
}

extension DirectoryStore {
    func syncChanges(_ contents: DirectoryContents, retiredOn: CalendarDate) throws -> [DirectoryChange] {
        try engine.read { session in try DirectorySync.plan(contents, in: session, retiredOn: retiredOn).map(\.change) }
    }

    func sync(_ contents: DirectoryContents, retiredOn: CalendarDate, actor: String, at now: Date,
              importingKeys importKeys: (Set<String>) throws -> Int) throws -> (changes: [DirectoryChange], importedKeys: Int) {
        try engine.write { session in
            let plan = try DirectorySync.plan(contents, in: session, retiredOn: retiredOn)
            try DirectorySync.apply(plan, in: session, actor: actor, at: now)
            let imported = try importKeys(Set(plan.compactMap { step -> String? in
                if case .upsertKey(let key) = step.operation { return key.fingerprint }
                return nil
            }))
            return (plan.map(\.change), imported)
        }
    }
}
