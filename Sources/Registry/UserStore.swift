import Foundation

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
public struct UserRecord: Codable, Hashable, Sendable {
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

extension UserRecord {
    /// Whether `name` can be a user name: 1–64 letters, digits, `.`, `_`, `-` or `@`, starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...64).contains(name.count), let first = name.unicodeScalars.first,
              CharacterSet.alphanumerics.contains(first), first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0)) }
    }
}

/// The desk's users: adding, listing, disabling. Every change is a `user.*` event naming its actor. Reached as
/// `RegistryStore.users`.
///
/// ```swift
/// try store.users.add(name: "bob", role: .coordinator, passwordHash: hash, at: Date(), actor: "alice")
/// try store.users.disable(name: "bob", at: Date(), actor: "alice")
/// ```
public protocol UserStoring: Sendable {
    /// Adds a user. Throws `RegistryError.invalidArgument` for a bad name (`UserRecord.isValidName`), a hash that is
    /// not bcrypt, or a name taken (names compare without case).
    @discardableResult
    func add(name: String, role: UserRole, passwordHash: String, at date: Date, actor: String) throws -> UserRecord
    /// Every user, by name.
    func list() throws -> [UserRecord]
    /// The user named `name` (without regard to case), or nil.
    func user(named name: String) throws -> UserRecord?
    /// Disables a user: they can no longer log in. Throws `RegistryError.invalidArgument` for an unknown user;
    /// disabling a disabled user changes nothing and writes no event.
    func disable(name: String, at date: Date, actor: String) throws
}

extension UserStoring {
    @discardableResult
    public func add(name: String, role: UserRole, passwordHash: String, actor: String) throws -> UserRecord {
        try add(name: name, role: role, passwordHash: passwordHash, at: Date(), actor: actor)
    }

    public func disable(name: String, actor: String) throws {
        try disable(name: name, at: Date(), actor: actor)
    }
}

/// `UserStoring` over either engine. Names compare and sort without case: the column's collation (`NOCASE` on
/// SQLite, `nocase` on PostgreSQL).
struct UserStore: UserStoring {
    let engine: any StoreEngine

    private static func find(_ session: any SQLSession, _ name: String) throws -> UserRecord? {
        try session.record(UserRecord.self, "SELECT * FROM deskUser WHERE name = ?", name)
    }

    func add(name: String, role: UserRole, passwordHash: String, at date: Date, actor: String) throws -> UserRecord {
        guard UserRecord.isValidName(name) else {
            throw RegistryError.invalidArgument("user name \"\(name)\" must be 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit")
        }
        guard passwordHash.hasPrefix("$2") else {
            throw RegistryError.invalidArgument("the password hash of \(name) is not a bcrypt hash")
        }
        return try engine.write { session in
            if let existing = try Self.find(session, name) {
                throw RegistryError.invalidArgument("user \(existing.name) already exists\(existing.disabled ? " (disabled)" : "")")
            }
            let record = UserRecord(name: name, role: role, passwordHash: passwordHash, createdAt: date)
            try session.insert(record)
            try EventLog.append(session, actor: actor, action: "user.added", objectType: "user", objectId: name,
                                data: ["role": .string(role.rawValue)], at: date)
            return record
        }
    }

    func list() throws -> [UserRecord] {
        try engine.read { session in try session.records(UserRecord.self, "SELECT * FROM deskUser ORDER BY name") }
    }

    func user(named name: String) throws -> UserRecord? {
        try engine.read { session in try Self.find(session, name) }
    }

    func disable(name: String, at date: Date, actor: String) throws {
        try engine.write { session in
            guard let record = try Self.find(session, name) else {
                throw RegistryError.invalidArgument("no user \(name); `liaison user list` shows the users")
            }
            if record.disabled { return }
            try session.execute("UPDATE deskUser SET disabled = 1 WHERE name = ?", record.name)
            try EventLog.append(session, actor: actor, action: "user.disabled", objectType: "user", objectId: record.name, at: date)
        }
    }
}
