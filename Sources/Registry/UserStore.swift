import Foundation
import GRDB

/// What a member of the team may do in the desk.
public enum UserRole: String, Codable, Sendable, CaseIterable {
    /// Works cases: notifies, triages replies, sets responses.
    case coordinator
    /// A coordinator who also answers for the team.
    case lead
    /// Reads everything but TLP:RED content; changes nothing.
    case auditor

    /// Whether the role may change anything (every role but auditor).
    public var mayChange: Bool { self != .auditor }
    /// Whether the role may read the content of a TLP:RED case (coordinators and leads).
    public var mayReadRed: Bool { self != .auditor }
    /// `coordinator, lead or auditor`.
    public static let choices = "coordinator, lead or auditor"
}

/// A member of the team, as the desk knows them. The password is kept only as its bcrypt hash (`$2b$…`), hashed
/// by the caller; the store never sees the password.
public struct UserRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "deskUser"
    public var name: String
    public var role: UserRole
    public var passwordHash: String
    /// A disabled user can no longer log in; their sessions end at their next request.
    public var disabled: Bool
    public var createdAt: Date

    public init(name: String, role: UserRole, passwordHash: String, disabled: Bool = false, createdAt: Date) {
        self.name = name; self.role = role; self.passwordHash = passwordHash; self.disabled = disabled; self.createdAt = createdAt
    }
}

/// Migration `v13-desk-users`: the desk's users.
enum UserSchema {
    static let migrationName = "v13-desk-users"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE deskUser (
                name TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
                role TEXT NOT NULL,                         -- coordinator | lead | auditor
                passwordHash TEXT NOT NULL,                 -- bcrypt, $2b$…
                disabled BOOLEAN NOT NULL DEFAULT 0,
                createdAt DATETIME NOT NULL
            )
            """)
    }
}

/// The desk's users: adding, listing, disabling. Every change is a `user.*` event naming its actor.
///
/// ```swift
/// let users = store.users(actor: "alice")
/// try users.add(name: "bob", role: .coordinator, passwordHash: hash)
/// try users.disable(name: "bob")
/// ```
public struct UserStore: Sendable {
    let writer: any DatabaseWriter
    /// Who the events name.
    public let actor: String

    public init(writer: any DatabaseWriter, actor: String = EventLog.defaultActor) {
        self.writer = writer
        self.actor = actor
    }

    /// Whether `name` can be a user name: 1–64 letters, digits, `.`, `_`, `-` or `@`, starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...64).contains(name.count), let first = name.unicodeScalars.first,
              CharacterSet.alphanumerics.contains(first), first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0)) }
    }

    /// Adds a user. Throws `RegistryError.invalidArgument` for a bad name, a hash that is not bcrypt, or a name taken
    /// (names compare without case).
    @discardableResult
    public func add(name: String, role: UserRole, passwordHash: String, at date: Date = Date()) throws -> UserRecord {
        guard Self.isValidName(name) else {
            throw RegistryError.invalidArgument("user name \"\(name)\" must be 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit")
        }
        guard passwordHash.hasPrefix("$2") else {
            throw RegistryError.invalidArgument("the password hash of \(name) is not a bcrypt hash")
        }
        return try writer.write { db in
            if let existing = try UserRecord.fetchOne(db, key: name) {
                throw RegistryError.invalidArgument("user \(existing.name) already exists\(existing.disabled ? " (disabled)" : "")")
            }
            let record = UserRecord(name: name, role: role, passwordHash: passwordHash, createdAt: date)
            try record.insert(db)
            try EventLog.append(db, actor: actor, action: "user.added", objectType: "user", objectId: name,
                                data: ["role": .string(role.rawValue)], at: date)
            return record
        }
    }

    /// Every user, by name.
    public func list() throws -> [UserRecord] {
        try writer.read { db in try UserRecord.order(Column("name")).fetchAll(db) }
    }

    /// The user named `name` (without regard to case), or nil.
    public func user(named name: String) throws -> UserRecord? {
        try writer.read { db in try UserRecord.fetchOne(db, key: name) }
    }

    /// Disables a user: they can no longer log in. Throws `RegistryError.invalidArgument` for an unknown user;
    /// disabling a disabled user changes nothing and writes no event.
    public func disable(name: String, at date: Date = Date()) throws {
        try writer.write { db in
            guard var record = try UserRecord.fetchOne(db, key: name) else {
                throw RegistryError.invalidArgument("no user \(name); `liaison user list` shows the users")
            }
            if record.disabled { return }
            record.disabled = true
            try record.update(db)
            try EventLog.append(db, actor: actor, action: "user.disabled", objectType: "user", objectId: record.name, at: date)
        }
    }
}

extension RegistryStore {
    /// The desk's users in this store, recording their changes as `actor`.
    public func users(actor: String = EventLog.defaultActor) -> UserStore {
        UserStore(writer: writer, actor: actor)
    }
}
