import Crypto
import Foundation

/// The append-only audit log: every change to the registry, cases and notifications, each row carrying the
/// SHA-256 of the previous row so that an edited, deleted or reordered row is detected.
///
/// The hash of a row is `sha256(prevHash + canonical)`, lower-case hex, where `canonical` is the JSON object
/// `{"action":…,"actor":…,"at":…,"data":…,"objectId":…,"objectType":…}` with keys in that (sorted) order,
/// `at` as stored (`YYYY-MM-DD HH:MM:SS.SSS`, UTC) and `data` the stored canonical JSON text. The first
/// row's `prevHash` is 64 zeros. The row id is not hashed: order is what the chain of hashes says.
///
/// Rows are numbered 1, 2, 3 … without gaps on both engines (each append takes the last id plus one, under the
/// chain's lock), so the same history has the same ids, the same verification and the same seals on SQLite and
/// PostgreSQL.
///
/// ```swift
/// try engine.write { session in
///     try EventLog.append(session, action: "case.opened", objectType: "case", objectId: "JVNVU#12345678",
///                         data: ["title": "Example", "origin": "jvn-jp"])
/// }
/// ```
public enum EventLog {
    /// The `prevHash` of the first row.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Who is acting when no one is named: the operating-system user (`operatingSystemActor(environment:)`).
    public static var defaultActor: String { operatingSystemActor(environment: ProcessInfo.processInfo.environment) }

    /// `$LIAISON_ACTOR`, else `$USER`, else the name of the effective user id (`getpwuid(geteuid())`, which a
    /// systemd service without `$USER` still has), else `uid N`. Never a constant: the log must say who acted.
    public static func operatingSystemActor(environment: [String: String]) -> String {
        for name in ["LIAISON_ACTOR", "USER"] {
            if let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty { return value }
        }
        let uid = geteuid()
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            let text = String(cString: name)
            if !text.isEmpty { return text }
        }
        return "uid \(uid)"
    }

    /// Who acted, as the log names them: one printable line of at most 64 characters, without control characters
    /// (NUL, line ends, escapes) or bidirectional controls (U+202E…) that would make the log read otherwise.
    /// Returns the problem in words (`--actor must be …`), or nil.
    public static func actorProblem(_ actor: String, source: String = "--actor") -> String? {
        let trimmed = actor.trimmingCharacters(in: .whitespaces)
        let bad = trimmed.unicodeScalars.first { [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) }
        guard trimmed.isEmpty || trimmed.count > 64 || bad != nil else { return nil }
        return "\(source) must be a name on one printable line of at most 64 characters, such as alice"
            + (bad.map { " (it holds U+" + String($0.value, radix: 16, uppercase: true).leftPadded(to: 4) + ")" } ?? "")
    }

    /// The one rule for ids of cases, organisations, users and participants: printable text. SQLite reads a bound
    /// text only up to a NUL, so `JVNVU#1\0x` would change case `JVNVU#1` while its event named another object.
    /// Returns the problem (`the id "…" holds the control character U+0000`), or nil.
    public static func idProblem(_ id: String) -> String? {
        guard let bad = id.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) else { return nil }
        let shown = id.unicodeScalars.map { $0.properties.generalCategory == .control ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return "the id \"\(shown.prefix(100))\" holds the control character U+" + String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)
            + "; ids are printable text"
    }

    /// Refuses (`StoreError.invalidArgument`) an event about a case, organisation, user or participant whose id, or
    /// the `caseId` / `organizationId` it carries, breaks `idProblem`: the change and its event roll back together.
    /// Messages received (`inbound`, `recipient`) keep the ids the mail gave, made storable.
    static func refuseControlIds(objectType: String, objectId: String, data: [String: EventValue]) throws {
        guard objectType != "inbound", objectType != "recipient" else { return }
        var ids = [objectId]
        for key in ["caseId", "organizationId"] { if case .string(let value)? = data[key] { ids.append(value) } }
        if let problem = ids.lazy.compactMap(idProblem).first { throw StoreError.invalidArgument(problem) }
    }

    /// Appends one event. Call inside the transaction that makes the change, so both land or neither does.
    ///
    /// - Throws: `StoreError.invalidArgument` when an id breaks `idProblem` (nothing is written).
    static func append(_ session: any SQLSession, actor: String = defaultActor, action: String, objectType: String,
                       objectId: String, data: [String: EventValue] = [:], at: Date = Date()) throws {
        try refuseControlIds(objectType: objectType, objectId: objectId, data: data)
        var chain = try EventChain(session)
        try chain.append(session, actor: actor, action: action, objectType: objectType, objectId: objectId,
                         data: .object(data), at: at)
    }

    /// One event of those `append(_:actor:_:)` appends together.
    struct Entry {
        var action: String
        var objectType: String
        var objectId: String
        var data: [String: EventValue]
        var at: Date
    }

    /// Appends `entries` in order, as many `append` calls would, with one read of the chain's head and multi-row
    /// inserts. Call inside the transaction that makes the changes.
    ///
    /// - Throws: `StoreError.invalidArgument` when an id breaks `idProblem` (nothing is written).
    static func append(_ session: any SQLSession, actor: String, _ entries: [Entry]) throws {
        guard !entries.isEmpty else { return }
        for entry in entries { try refuseControlIds(objectType: entry.objectType, objectId: entry.objectId, data: entry.data) }
        var chain = try EventChain(session)
        try chain.append(session, actor: actor, entries)
    }

    /// Appends `entries` in order, as `append(_:actor:_:)` does, sent as `SQLSession.executeLater` sends a
    /// statement. On PostgreSQL the server chains them (`liaison_append_events`, `EventChainSchema`): the chain's
    /// lock is taken there and held until the commit, with no round trip to the client in between. On SQLite the
    /// client chains them, as `append` does.
    ///
    /// - Throws: `StoreError.invalidArgument` when an id breaks `idProblem` (nothing is written).
    static func appendLater(_ session: any SQLSession, actor: String, _ entries: [Entry]) throws {
        guard session.kind == .postgresql else { return try append(session, actor: actor, entries) }
        guard let call = try serverAppend(actor: actor, entries) else { return }
        try session.executeLater("SELECT " + call.expression, call.values)
    }

    /// The call of `liaison_append_events` (PostgreSQL, `EventChainSchema`) that appends `entries` in order, as an
    /// expression for a SELECT list and its bound value; nil for no entries. Chained by the server when the
    /// statement runs.
    ///
    /// - Throws: `StoreError.invalidArgument` when an id breaks `idProblem`.
    static func serverAppend(actor: String, _ entries: [Entry]) throws -> (expression: String, values: [SQLValue])? {
        guard !entries.isEmpty else { return nil }
        for entry in entries { try refuseControlIds(objectType: entry.objectType, objectId: entry.objectId, data: entry.data) }
        // The JSON array `liaison_append_events` reads, written by the canonical form's writer.
        let json = EventValue.array(entries.map { entry in
            let stored = StoredEvent(actor: actor, action: entry.action, objectType: entry.objectType, objectId: entry.objectId,
                                     data: .object(entry.data), at: entry.at)
            return .object(["at": .string(stored.at), "actor": .string(stored.actor), "action": .string(stored.action),
                            "objectType": .string(stored.objectType), "objectId": .string(stored.objectId),
                            "data": .string(stored.data), "canonical": .string(stored.canonical)])
        }).canonicalJSON
        return ("liaison_append_events(?)", [json.sqlValue])
    }

    /// Appends one event whose data is any Encodable (encoded as JSON, then made canonical).
    static func append(_ session: any SQLSession, actor: String = defaultActor, action: String, objectType: String,
                       objectId: String, encoding data: some Encodable, at: Date = Date()) throws {
        try refuseControlIds(objectType: objectType, objectId: objectId, data: [:])
        var chain = try EventChain(session)
        try chain.append(session, actor: actor, action: action, objectType: objectType, objectId: objectId,
                         data: try EventValue.encoding(data), at: at)
    }

    /// The events about one object (or all events of a type when `objectId` is nil), oldest first.
    static func events(_ session: any SQLSession, objectType: String, objectId: String? = nil) throws -> [Event] {
        if let objectId {
            return try session.records(Event.self, "SELECT * FROM event WHERE objectType = ? AND objectId = ? ORDER BY id",
                                       storedText(objectType), storedText(objectId))
        }
        return try session.records(Event.self, "SELECT * FROM event WHERE objectType = ? ORDER BY id", objectType)
    }

    /// Recomputes the chain from the first row and reports the first break.
    static func verify(_ session: any SQLSession) throws -> EventLogVerification {
        try verify(session, eachRow: nil)
    }

    /// `verify`, handing each row's id and canonical content to `eachRow` as it goes (an audit seal's rows are
    /// digests of the same text), so the log is read once.
    static func verify(_ session: any SQLSession, eachRow: ((Int64, String) -> Void)?) throws -> EventLogVerification {
        var expectedPrevious = genesisHash
        var previousId: Int64 = 0
        var count = 0
        var broken: EventLogVerification?
        var unlinked: (id: Int64, prevHash: String)?
        try session.forEachRow("""
            SELECT id, CAST(at AS TEXT) AS at, actor, action, objectType, objectId, data, prevHash, hash
            FROM event ORDER BY id
            """, []) { row in
            // By index: the columns of the SELECT above, in order.
            let id: Int64 = try row[0]
            let prevHash: String = try row[7]
            let hash: String = try row[8]
            let canonical = canonicalRow(at: try row[1], actor: try row[2], action: try row[3], objectType: try row[4],
                                         objectId: try row[5], data: try row[6])
            eachRow?(id, canonical)
            if hashOf(prevHash: prevHash, canonical: canonical) != hash {
                broken = .broken(eventId: id, reason: .edited,
                                 detail: "event \(id) was edited: its contents no longer match its hash")
                return false
            }
            if prevHash != expectedPrevious {
                unlinked = (id, prevHash)
                return false
            }
            expectedPrevious = hash
            previousId = id
            count += 1
            return true
        }
        if let broken { return broken }
        // Explained after the rows are read: a second query while they stream would share the connection.
        if let unlinked { return try link(session, id: unlinked.id, prevHash: unlinked.prevHash, previousId: previousId) }
        if let highest = try highestIdEverUsed(session), highest > previousId {
            let missing = previousId + 1 == highest ? "event \(highest) was" : "events \(previousId + 1)–\(highest) were"
            return .broken(eventId: previousId + 1, reason: .deleted, detail: "\(missing) deleted from the end of the log")
        }
        return .intact(count: count)
    }

    /// Why row `id`, whose `prevHash` is not the hash of the row before it (`previousId`, 0 at the start), broke
    /// the chain: rows deleted before it, the row moved, the first rows deleted, or the row before it rewritten.
    private static func link(_ session: any SQLSession, id: Int64, prevHash: String, previousId: Int64) throws -> EventLogVerification {
        if id != previousId + 1 {
            let missing = previousId + 1 == id - 1 ? "event \(previousId + 1) was" : "events \(previousId + 1)–\(id - 1) were"
            return .broken(eventId: previousId + 1, reason: .deleted,
                           detail: "\(missing) deleted: event \(id) does not follow \(previousId == 0 ? "the start of the log" : "event \(previousId)")")
        }
        if let origin = try session.value("SELECT id FROM event WHERE hash = ? AND id <> ?", prevHash, id, as: Int64.self) {
            return .broken(eventId: id, reason: .reordered,
                           detail: "event \(id) is out of order: it was written after event \(origin), not after event \(previousId)")
        }
        if previousId == 0 {
            return .broken(eventId: 1, reason: .deleted,
                           detail: "the first events were deleted: event \(id) does not start the log")
        }
        return .broken(eventId: previousId, reason: .edited,
                       detail: "event \(previousId) was edited: its hash was rewritten, so event \(id) no longer follows it")
    }

    /// The highest event id the database remembers handing out, when it keeps one that a rolled-back transaction
    /// cannot raise: rows deleted from the end of the log then still show (until appends take their ids again).
    ///
    /// SQLite's `AUTOINCREMENT` keeps it in `sqlite_sequence`, inside the transaction. PostgreSQL has no such
    /// number: an identity sequence is not rolled back, so a change that appended events and then failed would
    /// read as events deleted from the end; there the check is left to the audit seals (`AuditSeals`), which catch
    /// any deletion. Nil when there is nothing to compare.
    static func highestIdEverUsed(_ session: any SQLSession) throws -> Int64? {
        switch session.kind {
        case .sqlite: return try session.value("SELECT seq FROM sqlite_sequence WHERE name = 'event'", as: Int64.self)
        case .postgresql: return nil
        }
    }

    /// Serializes appends to the chain across transactions and processes, before the last row is read: on
    /// PostgreSQL a transaction-scoped advisory lock (`chainLockKey`), held until the transaction ends, so the next
    /// appender reads the row this one wrote. Taken at every append, also inside `StoreEngine.write` (whose own
    /// lock already orders its appends): a `writeLockingRows` transaction, which runs beside writers, may append
    /// too, and taking a lock this transaction already holds costs one round trip. On SQLite the single writer
    /// orders appends: nothing to do.
    static func lockChain(_ session: any SQLSession) throws {
        switch session.kind {
        case .sqlite: return
        // Sent with the read of the chain's head that follows, which waits for it.
        case .postgresql: try session.executeLater("SELECT pg_advisory_xact_lock(\(chainLockKey))", [])
        }
    }

    /// The advisory lock key of the event chain on PostgreSQL ("LiaisonE").
    static let chainLockKey: Int64 = 0x4C69_6169_736F_6E45

    static func canonicalRow(at: String, actor: String, action: String, objectType: String, objectId: String,
                             data: String) -> String {
        var output = "{\"action\":"
        EventValue.writeString(action, to: &output)
        output += ",\"actor\":"
        EventValue.writeString(actor, to: &output)
        output += ",\"at\":"
        EventValue.writeString(at, to: &output)
        output += ",\"data\":" + data + ",\"objectId\":"
        EventValue.writeString(objectId, to: &output)
        output += ",\"objectType\":"
        EventValue.writeString(objectType, to: &output)
        output += "}"
        return output
    }

    /// Text as the log stores it in its own columns: a NUL becomes the six characters `\u0000`, since SQLite's
    /// text binding stops at NUL and the stored row would no longer match the hash computed over the whole
    /// string. (Data values are JSON, where every control character is already escaped.)
    static func storedText(_ text: String) -> String {
        guard text.unicodeScalars.contains("\0") else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            if scalar == "\0" { output += "\\u0000" } else { output.unicodeScalars.append(scalar) }
        }
        return output
    }

    static func hashOf(prevHash: String, canonical: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(prevHash.utf8))
        hasher.update(data: Data(canonical.utf8))
        return lowercaseHex(hasher.finalize())
    }

    /// Lower-case hex of a digest, written in one buffer (the log hashes every row on append and on verify).
    static func lowercaseHex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `YYYY-MM-DD HH:MM:SS.SSS` in UTC (milliseconds rounded down): GRDB's own format for dates, so other modules
    /// read `at` as a `Date`. Computed without a `DateFormatter`, so it is cheap for many rows.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var days = milliseconds / 86_400_000
        var rest = milliseconds % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(rest / 3_600_000, 2)):\(pad(rest / 60_000 % 60, 2)):\(pad(rest / 1000 % 60, 2)).\(pad(rest % 1000, 3))"
    }
}

/// Appends many events in one transaction without re-reading the last row each time.
struct EventChain {
    private(set) var lastHash: String
    private(set) var lastId: Int64

    /// Takes the chain's lock (`EventLog.lockChain`) and reads the last row.
    init(_ session: any SQLSession) throws {
        try EventLog.lockChain(session)
        let last = try session.row("SELECT id, hash FROM event ORDER BY id DESC LIMIT 1")
        lastId = try last.map { try $0[0] } ?? 0
        lastHash = try last.map { try $0[1] } ?? EventLog.genesisHash
    }

    mutating func append(_ session: any SQLSession, actor: String, action: String, objectType: String, objectId: String,
                         data: EventValue, at date: Date) throws {
        var next = self
        let row = next.row(actor: actor, action: action, objectType: objectType, objectId: objectId, data: data, at: date)
        try session.execute("""
            INSERT INTO event (id, at, actor, action, objectType, objectId, data, prevHash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, row)
        self = next
    }

    /// Appends `entries` in order, each chained to the one before, with multi-row inserts
    /// (`SQLSession.insertRows`): the rows and hashes `append` would write one at a time.
    mutating func append(_ session: any SQLSession, actor: String, _ entries: [EventLog.Entry]) throws {
        try append(session, actor: actor, entries.map {
            (action: $0.action, objectType: $0.objectType, objectId: $0.objectId, data: .object($0.data), at: $0.at)
        })
    }

    /// An event to append whose data is any value, not only an object.
    typealias AnyEvent = (action: String, objectType: String, objectId: String, data: EventValue, at: Date)

    /// `append(_:actor:_:)` of events whose data is any value.
    mutating func append(_ session: any SQLSession, actor: String, _ events: [AnyEvent]) throws {
        var next = self
        let rows = events.map { event in
            next.row(actor: actor, action: event.action, objectType: event.objectType, objectId: event.objectId,
                     data: event.data, at: event.at)
        }
        try session.insertRows(into: "event", columns: Self.columns, rows)
        self = next
    }

    static let columns = ["id", "at", "actor", "action", "objectType", "objectId", "data", "prevHash", "hash"]

    /// The stored values of the event after the last one (in the order of `columns`), made the last one.
    private mutating func row(actor: String, action: String, objectType: String, objectId: String,
                              data: EventValue, at date: Date) -> [SQLValue] {
        let stored = StoredEvent(actor: actor, action: action, objectType: objectType, objectId: objectId, data: data, at: date)
        let hash = EventLog.hashOf(prevHash: lastHash, canonical: stored.canonical)
        // The id is the last one plus one: no gap where a transaction rolled back (a PostgreSQL sequence would
        // leave one), so both engines number the same history alike.
        let id = lastId + 1
        let row: [SQLValue] = [.integer(id), .text(stored.at), .text(stored.actor), .text(stored.action), .text(stored.objectType),
                               .text(stored.objectId), .text(stored.data), .text(lastHash), .text(hash)]
        lastHash = hash
        lastId = id
        return row
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// An event's columns as stored (every text made storable, `at` as `EventLog.timestamp`, `data` canonical JSON)
/// and the canonical row its hash is taken over (`EventLog.canonicalRow`).
struct StoredEvent {
    let at: String
    let actor: String
    let action: String
    let objectType: String
    let objectId: String
    let data: String
    let canonical: String

    init(actor: String, action: String, objectType: String, objectId: String, data: EventValue, at date: Date) {
        at = EventLog.timestamp(date)
        self.actor = EventLog.storedText(actor)
        self.action = EventLog.storedText(action)
        self.objectType = EventLog.storedText(objectType)
        self.objectId = EventLog.storedText(objectId)
        self.data = data.canonicalJSON
        canonical = EventLog.canonicalRow(at: at, actor: self.actor, action: self.action, objectType: self.objectType,
                                          objectId: self.objectId, data: self.data)
    }
}
