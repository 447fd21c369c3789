import Crypto
import Foundation
import OpenPGP

/// The event log at one moment, signed with the workspace's OpenPGP key and kept outside the database: how many
/// events, the hash of the last one, when, and every event's id with a digest of its content, so that a log
/// rewritten from some row on (every later hash recomputed), emptied or given a forged
/// row no longer matches it, and `audit verify` names the first event that differs.
///
/// A seal file is text: the statement, then an armored detached OpenPGP signature (RFC 4880) over the
/// statement's bytes.
/// ```
/// Liaison audit seal
/// events: 42
/// head: 3f2a…(64 hex digits)
/// sealed: 2026-11-30T18:20:00Z
/// signer: 0123…CDEF
/// rows: 42
/// 1 9c1d0e4a5b6f7788
/// 04f2a9c3d1e2b3a4
/// …
///
/// -----BEGIN PGP SIGNATURE-----
/// …
/// ```
/// Each `rows` line is one event in log order: the first 16 hex digits of the SHA-256 of its canonical content
/// (``EventLog``'s `canonical`, without the previous hash, so a row's digest does not change when the rows before
/// it do), preceded by the event's id where that id is not the previous line's id plus one (the first line's
/// "previous" is 0). About 17 bytes an event: 1.7 MB for 100,000 events. Seals made before the rows were added
/// (no `rows` line) are still read and checked: they place a rewrite only between two seals.
public struct AuditSeal: Sendable, Equatable {
    /// How many events the log held.
    public let eventCount: Int
    /// The hash of the last of them (64 zeros for an empty log).
    public let headHash: String
    /// When the seal was made, to the second.
    public let sealedAt: Date
    /// The fingerprint of the key the seal says signed it (checked by `AuditSeals.check`).
    public let signer: String
    /// Every sealed event in log order; nil for a seal of the first format, which holds the head only.
    public let rows: [AuditSealRow]?
    /// The file it was read from, if any.
    public let file: URL?

    public init(eventCount: Int, headHash: String, sealedAt: Date, signer: String, rows: [AuditSealRow]?, file: URL?) {
        self.eventCount = eventCount; self.headHash = headHash; self.sealedAt = sealedAt
        self.signer = signer; self.rows = rows; self.file = file
    }

    /// The signed statement.
    public var statement: String {
        var text = """
            \(AuditSeals.title)
            events: \(eventCount)
            head: \(headHash)
            sealed: \(AuditSeals.timestamp(sealedAt))
            signer: \(signer)

            """
        guard let rows else { return text }
        text.reserveCapacity(text.utf8.count + 12 + rows.count * 18)
        text += "rows: \(rows.count)\n"
        var previous: Int64 = 0
        for row in rows {
            if row.id != previous + 1 { text += "\(row.id) " }
            text += AuditSealRow.hex(row.digest)
            text += "\n"
            previous = row.id
        }
        text += "\n"
        return text
    }

    /// One line for reports: `42 events, head 3f2a…, sealed 2026-11-30T18:20:00Z by 0123…CDEF`.
    public var summary: String {
        "\(eventCount) event\(eventCount == 1 ? "" : "s"), head \(headHash.prefix(16))…, sealed \(AuditSeals.timestamp(sealedAt)) by \(signer)"
    }
}

/// One sealed event: its id and the first 64 bits of the SHA-256 of its canonical content.
public struct AuditSealRow: Sendable, Equatable {
    public let id: Int64
    /// The first 8 bytes of the digest, big-endian (the first 16 hex digits).
    public let digest: UInt64

    public init(id: Int64, digest: UInt64) {
        self.id = id; self.digest = digest
    }

    /// 16 lower-case hex digits.
    static func hex(_ digest: UInt64) -> String {
        let digits = String(digest, radix: 16)
        return digits.count == 16 ? digits : String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The digest of 16 lower-case hex digits, or nil.
    static func digest(hex text: Substring) -> UInt64? {
        guard text.utf8.count == 16, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            return nil
        }
        return UInt64(text, radix: 16)
    }
}

/// Making, reading and checking audit seals.
public enum AuditSeals {
    static let title = "Liaison audit seal"
    static let signatureStart = "-----BEGIN PGP SIGNATURE-----"
    /// A seal file larger than this is refused unread (about 15 million events).
    static let largestFile = 256 * 1024 * 1024

    /// `.liaison/seals/`: the workspace's own seals.
    public static func folder(of workspace: Workspace) -> URL {
        workspace.stateURL.appendingPathComponent("seals", isDirectory: true)
    }

    /// The event count and the hash of the last event.
    static func head(_ session: any SQLSession) throws -> (count: Int, hash: String) {
        let count = try session.value("SELECT COUNT(*) FROM event", as: Int.self) ?? 0
        let hash = try session.value("SELECT hash FROM event ORDER BY id DESC LIMIT 1", as: String.self) ?? EventLog.genesisHash
        return (count, hash)
    }

    /// Every event in log order with the digest of its content, as a seal holds them.
    static func rows(_ session: any SQLSession) throws -> [AuditSealRow] {
        var rows: [AuditSealRow] = []
        try session.forEachRow("""
            SELECT id, CAST(at AS TEXT), actor, action, objectType, objectId, data FROM event ORDER BY id
            """, []) { row in
            let canonical = EventLog.canonicalRow(at: try row[1], actor: try row[2], action: try row[3], objectType: try row[4],
                                                  objectId: try row[5], data: try row[6])
            rows.append(AuditSealRow(id: try row[0], digest: digest(canonical)))
            return true
        }
        return rows
    }

    /// The first 64 bits of the SHA-256 of an event's canonical content.
    static func digest(_ canonical: String) -> UInt64 {
        SHA256.hash(data: Data(canonical.utf8)).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Seals `store`'s log: signs its head and every event's digest with `signingKey` from `gnupgHome`, writes
    /// the seal into the workspace's seal folder (`seal-YYYYMMDDTHHMMSSZ-COUNT.asc`) and returns it with its text.
    /// `passphrase` is the signing key's passphrase (given to gpg-agent by loopback pinentry), nil for a key
    /// without one.
    ///
    /// Throws `RegistryError.gnupg` when the key cannot sign, `.fileSystem` when the file cannot be written.
    public static func seal(_ store: RegistryStore, workspace: Workspace, signingKey: String, gnupgHome: String,
                            passphrase: String? = nil, at date: Date = Date()) throws -> (seal: AuditSeal, text: String) {
        let (head, rows) = try store.engine.read { session in (try AuditSeals.head(session), try AuditSeals.rows(session)) }
        let sealedAt = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        let seal = AuditSeal(eventCount: head.count, headHash: head.hash, sealedAt: sealedAt,
                             signer: Fingerprint.normalize(signingKey), rows: rows, file: nil)
        return try write(seal, workspace: workspace, gnupgHome: gnupgHome, passphrase: passphrase)
    }

    /// What `liaison audit seal` does, reading the log once: recomputes the hash chain (`EventLog.verify`) and,
    /// only when it is intact, seals it as `seal` does. Returns the chain's verification and the seal made (nil
    /// when the chain is broken: nothing is sealed). Throws as `seal` does.
    public static func sealIfIntact(_ store: RegistryStore, workspace: Workspace, signingKey: String, gnupgHome: String,
                                    passphrase: String? = nil, at date: Date = Date()) throws -> (chain: EventLogVerification, sealed: (seal: AuditSeal, text: String)?) {
        let (chain, head, rows) = try store.engine.read { session -> (EventLogVerification, (count: Int, hash: String), [AuditSealRow]) in
            var rows: [AuditSealRow] = []
            let chain = try EventLog.verify(session) { id, canonical in rows.append(AuditSealRow(id: id, digest: digest(canonical))) }
            return (chain, try AuditSeals.head(session), rows)
        }
        guard chain.isIntact else { return (chain, nil) }
        let sealedAt = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        let seal = AuditSeal(eventCount: head.count, headHash: head.hash, sealedAt: sealedAt,
                             signer: Fingerprint.normalize(signingKey), rows: rows, file: nil)
        return (chain, try write(seal, workspace: workspace, gnupgHome: gnupgHome, passphrase: passphrase))
    }

    /// Signs `seal`'s statement and writes the seal file into the workspace's seal folder.
    static func write(_ seal: AuditSeal, workspace: Workspace, gnupgHome: String, passphrase: String? = nil) throws -> (seal: AuditSeal, text: String) {
        let statement = seal.statement
        let signature: DetachedSignature
        do {
            let context = try OpenPGPContext(homeDirectory: gnupgHome, passphrase: passphrase)
            signature = try context.signDetached(Data(statement.utf8), signer: seal.signer)
        } catch {
            throw RegistryError.gnupg("The audit seal cannot be signed: \(error.description)")
        }
        let text = statement + String(decoding: signature.armored, as: UTF8.self)
        let folder = folder(of: workspace)
        let stamp = timestamp(seal.sealedAt).filter { $0.isNumber || $0 == "T" || $0 == "Z" }
        let url = folder.appendingPathComponent("seal-\(stamp)-\(seal.eventCount).asc")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .withoutOverwriting)
        } catch {
            throw RegistryError.fileSystem("The audit seal cannot be written to \(url.path): \(error.localizedDescription)")
        }
        let signed = AuditSeal(eventCount: seal.eventCount, headHash: seal.headHash, sealedAt: seal.sealedAt,
                               signer: signature.signerFingerprint, rows: seal.rows, file: url)
        return (signed, text)
    }

    /// The seal in `text` (not yet checked), or nil when it is not a seal.
    public static func parse(_ text: String, file: URL? = nil) -> (seal: AuditSeal, statement: String, signature: String)? {
        guard let start = text.range(of: signatureStart) else { return nil }
        let statement = String(text[..<start.lowerBound])
        let signature = String(text[start.lowerBound...])
        guard var seal = header(statement, file: file) else { return nil }
        let lines = statement.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 6 {
            // rows: N, N row lines, the empty line ending the statement, and the empty string after it.
            guard lines[5].hasPrefix("rows: "), let count = Int(lines[5].dropFirst(6)), count >= 0,
                  lines.count == count + 8, lines[count + 6].isEmpty else { return nil }
            var rows: [AuditSealRow] = []
            rows.reserveCapacity(count)
            var previous: Int64 = 0
            for line in lines[6..<(6 + count)] {
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                let id: Int64
                switch parts.count {
                case 1: id = previous + 1
                case 2:
                    guard let given = Int64(parts[0]), given > 0, given != previous + 1 else { return nil }
                    id = given
                default: return nil
                }
                guard let digest = AuditSealRow.digest(hex: parts[parts.count - 1]) else { return nil }
                rows.append(AuditSealRow(id: id, digest: digest))
                previous = id
            }
            seal = AuditSeal(eventCount: seal.eventCount, headHash: seal.headHash, sealedAt: seal.sealedAt,
                             signer: seal.signer, rows: rows, file: file)
        }
        // The statement must be exactly what the seal would sign: no second reading of the same bytes.
        guard seal.statement == statement else { return nil }
        return (seal, statement, signature)
    }

    /// The first five lines of a statement (title, events, head, sealed, signer); rows are not read.
    static func header(_ statement: String, file: URL?) -> AuditSeal? {
        let lines = statement.split(separator: "\n", maxSplits: 6, omittingEmptySubsequences: false).prefix(6).map(String.init)
        guard lines.count == 6, lines[0] == title, lines[5].isEmpty || lines[5].hasPrefix("rows: ") else { return nil }
        var fields: [String: String] = [:]
        for line in lines[1...4] {
            guard let colon = line.range(of: ": ") else { return nil }
            fields[String(line[..<colon.lowerBound])] = String(line[colon.upperBound...])
        }
        guard let countText = fields["events"], let count = Int(countText), count >= 0,
              let hash = fields["head"], hash.count == 64, hash.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              let sealedText = fields["sealed"], let sealedAt = try? Date(sealedText, strategy: .iso8601),
              let signer = fields["signer"], Fingerprint.isValid(signer) else { return nil }
        return AuditSeal(eventCount: count, headHash: hash, sealedAt: sealedAt, signer: signer, rows: nil, file: file)
    }

    /// The seal files of the workspace's seal folder, oldest name first.
    public static func files(of workspace: Workspace) -> [URL] {
        let folder = folder(of: workspace)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".asc") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The latest seal of the workspace's seal folder (by the time it states), its head read but not checked;
    /// nil when there is none. For reports, which print it.
    public static func latest(of workspace: Workspace) -> AuditSeal? {
        files(of: workspace).compactMap { url -> AuditSeal? in
            guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
            defer { try? handle.close() }
            guard let data = try? handle.read(upToCount: 4096) else { return nil }
            return header(String(decoding: data, as: UTF8.self), file: url)
        }.max { ($0.sealedAt, $0.eventCount) < ($1.sealedAt, $1.eventCount) }
    }

    /// Checks the seal files at `urls` against the chain in `store`: each must be a seal, carry a good signature
    /// by `signingKey` (the workspace's key), and match the log. A seal with rows matches when the log's first
    /// events are exactly the sealed ones (same ids, same content digests) and the last of them has the sealed
    /// hash; otherwise its problem names the first event that differs: edited, inserted, missing or renumbered.
    /// A seal of the first format matches when the event at its count has the sealed hash; otherwise its problem
    /// places the first difference after the last seal that holds. Returns one problem per failing seal, naming
    /// the file; an empty list when every seal holds. Throws `RegistryError.gnupg` when GnuPG cannot be used.
    public static func check(_ urls: [URL], store: RegistryStore, signingKey: String?, gnupgHome: String,
                             relativeTo workspace: Workspace) throws -> SealCheck {
        let signed = try signedSeals(urls, signingKey: signingKey, gnupgHome: gnupgHome, relativeTo: workspace)
        let log = try store.engine.read { session in
            try LogState(session, seals: signed.good, rows: signed.good.contains { $0.rows != nil } ? try AuditSeals.rows(session) : [])
        }
        return try compare(signed, with: log, store: store, relativeTo: workspace)
    }

    /// What `liaison audit verify` does, reading the log once: recomputes the hash chain (`EventLog.verify`) and
    /// checks the seals at `urls` as `check` does. The seals' result is meaningful only when the chain is intact.
    public static func verify(_ urls: [URL], store: RegistryStore, signingKey: String?, gnupgHome: String,
                              relativeTo workspace: Workspace) throws -> (chain: EventLogVerification, seals: SealCheck) {
        let signed = try signedSeals(urls, signingKey: signingKey, gnupgHome: gnupgHome, relativeTo: workspace)
        let collect = signed.good.contains { $0.rows != nil }
        let (chain, log) = try store.engine.read { session -> (EventLogVerification, LogState) in
            var rows: [AuditSealRow] = []
            let chain = try EventLog.verify(session, eachRow: collect ? { id, canonical in
                rows.append(AuditSealRow(id: id, digest: digest(canonical)))
            } : nil)
            return (chain, try LogState(session, seals: signed.good, rows: rows))
        }
        return (chain, try compare(signed, with: log, store: store, relativeTo: workspace))
    }

    /// The seals among `urls` whose signature is good and by the workspace's key, and one problem for each other.
    private static func signedSeals(_ urls: [URL], signingKey: String?, gnupgHome: String,
                                    relativeTo workspace: Workspace) throws -> (good: [AuditSeal], problems: [String]) {
        var problems: [String] = []
        var good: [AuditSeal] = []
        let context: OpenPGPContext?
        do { context = urls.isEmpty ? nil : try OpenPGPContext(homeDirectory: gnupgHome) } catch {
            throw RegistryError.gnupg("The audit seals cannot be checked: \(error.description)")
        }
        for url in urls {
            let name = workspace.relativePath(of: url)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
            guard let size else {
                problems.append("seal \(name) cannot be read")
                continue
            }
            guard size < largestFile, let data = FileManager.default.contents(atPath: url.path),
                  let (seal, statement, signature) = parse(String(decoding: data, as: UTF8.self), file: url) else {
                problems.append("seal \(name) is not an audit seal made by `liaison audit seal`")
                continue
            }
            guard let signingKey else {
                problems.append("seal \(name) cannot be checked: sender.signing_key is not set in liaison.yaml")
                continue
            }
            let checks: [SignatureCheck]
            do {
                checks = try context!.verifyDetached(signedData: Data(statement.utf8), signature: Data(signature.utf8))
            } catch {
                problems.append("seal \(name) has no valid signature (\(error.description))")
                continue
            }
            let expected = Fingerprint.normalize(signingKey)
            guard checks.count == 1, let check = checks.first, check.status == .valid else {
                problems.append("seal \(name) has a bad signature: the seal was altered or not signed by the workspace's key")
                continue
            }
            guard check.fingerprint == expected else {
                problems.append("seal \(name) was signed by \(check.fingerprint), not by the workspace's key \(expected)")
                continue
            }
            if let rows = seal.rows, rows.count != seal.eventCount {
                problems.append("seal \(name) is inconsistent: it counts \(seal.eventCount) events but lists \(rows.count)")
                continue
            }
            good.append(seal)
        }
        return (good, problems)
    }

    /// What the comparison reads from the log, in one transaction.
    private struct LogState {
        /// How many events the log holds.
        var total: Int
        /// For each count a seal of the first format names: the hash of the event at that count.
        var hashByCount: [Int: String]
        /// Every event with its content digest (empty when no seal has rows).
        var rows: [AuditSealRow]
        /// The stored hash of each event a seal with rows ends with.
        var hashById: [Int64: String]

        init(_ session: any SQLSession, seals: [AuditSeal], rows: [AuditSealRow]) throws {
            total = try session.value("SELECT COUNT(*) FROM event", as: Int.self) ?? 0
            hashByCount = [:]
            for count in Set(seals.filter { $0.rows == nil }.map(\.eventCount)) where count > 0 && count <= total {
                hashByCount[count] = try session.value("SELECT hash FROM event ORDER BY id LIMIT 1 OFFSET ?", count - 1,
                                                       as: String.self)
            }
            self.rows = rows
            hashById = [:]
            for seal in seals {
                guard let last = seal.rows?.last else { continue }
                hashById[last.id] = try session.value("SELECT hash FROM event WHERE id = ?", last.id, as: String.self)
            }
        }
    }

    /// Compares the signed seals with the log, in the order of their counts, so a mismatch of a seal without rows
    /// is placed after the last seal that still holds.
    private static func compare(_ signed: (good: [AuditSeal], problems: [String]), with log: LogState,
                                store: RegistryStore, relativeTo workspace: Workspace) throws -> SealCheck {
        var problems = signed.problems
        var lastMatching = 0
        var matched: [AuditSeal] = []
        for seal in signed.good.sorted(by: { ($0.eventCount, $0.sealedAt) < ($1.eventCount, $1.sealedAt) }) {
            let name = workspace.relativePath(of: seal.file!)
            let sealedAt = timestamp(seal.sealedAt)
            if seal.eventCount == 0 {
                matched.append(seal)
                continue
            }
            if let rows = seal.rows {
                if let difference = try firstDifference(sealed: rows, log: log.rows, store: store) {
                    let shorter = log.total < seal.eventCount ? "; the seal counts \(seal.eventCount) events but the log holds \(log.total)" : ""
                    problems.append("seal \(name) (sealed \(sealedAt), \(seal.eventCount) events) no longer matches the log: \(difference)\(shorter)")
                    continue
                }
                let last = rows[rows.count - 1]
                guard log.hashById[last.id] == seal.headHash else {
                    problems.append("seal \(name) (sealed \(sealedAt), \(seal.eventCount) events) no longer matches the log: every sealed event is as sealed, but the hash of event \(last.id) was rewritten")
                    continue
                }
                lastMatching = max(lastMatching, seal.eventCount)
                matched.append(seal)
                continue
            }
            if seal.eventCount > log.total {
                let first = max(log.total, lastMatching) + 1
                problems.append("seal \(name) (sealed \(sealedAt)) counts \(seal.eventCount) events but the log holds \(log.total): events were deleted or the log was rewritten from event \(first) on at the latest")
                continue
            }
            guard log.hashByCount[seal.eventCount] == seal.headHash else {
                let from = lastMatching + 1
                let range = from == seal.eventCount ? "event \(from) differs" : "the first event that differs is among events \(from)–\(seal.eventCount) (counted in order)"
                problems.append("seal \(name) (sealed \(sealedAt), \(seal.eventCount) events) no longer matches the log: \(range); it was rewritten after the seal")
                continue
            }
            lastMatching = seal.eventCount
            matched.append(seal)
        }
        return SealCheck(matched: matched, problems: problems)
    }

    /// Walks the sealed events and the log's events side by side and describes the first place they part: an
    /// event edited, inserted or renumbered after the seal, or a sealed event missing. Nil when the log begins
    /// with exactly the sealed events.
    static func firstDifference(sealed: [AuditSealRow], log: [AuditSealRow], store: RegistryStore) throws -> String? {
        var index = 0
        while index < sealed.count, index < log.count, sealed[index] == log[index] { index += 1 }
        guard index < sealed.count else { return nil }
        let expected = sealed[index]
        func named(_ id: Int64) throws -> String {
            guard let row = try store.engine.read({ session in
                try session.row("SELECT CAST(at AS TEXT), action FROM event WHERE id = ?", id)
            }) else { return "event \(id)" }
            let at: String = try row[0]
            let action: String = try row[1]
            return "event \(id) (\(at) UTC, \(action))"
        }
        guard index < log.count else {
            let lastSealed = sealed[sealed.count - 1].id
            let missing = expected.id == lastSealed ? "sealed event \(expected.id) is" : "sealed events \(expected.id)–\(lastSealed) are"
            let end = try log.last.map { "the log ends with \(try named($0.id))" } ?? "the log is empty"
            return "\(missing) missing: deleted after the seal (\(end))"
        }
        let found = log[index]
        if found.digest == expected.digest {
            return "\(try named(found.id)) was sealed as event \(expected.id): the events were renumbered after the seal"
        }
        if index + 1 < log.count, log[index + 1].digest == expected.digest {
            return "\(try named(found.id)) is not in the seal: it was inserted after the seal, before the sealed event \(expected.id) (now event \(log[index + 1].id))"
        }
        if index + 1 < sealed.count, sealed[index + 1].digest == found.digest {
            return "sealed event \(expected.id) is missing: deleted after the seal (\(try named(found.id)) was sealed as the event after it)"
        }
        if found.id == expected.id {
            return "\(try named(found.id)) was edited after the seal: its content differs from the sealed event \(expected.id)"
        }
        return "\(try named(found.id)) stands where the seal has event \(expected.id), with other content: the log was rewritten after the seal"
    }

    /// ISO 8601 in UTC, to the second.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
}

/// What `AuditSeals.check` found.
public struct SealCheck: Sendable, Equatable {
    /// The seals whose signature is good and that match the log, by count.
    public let matched: [AuditSeal]
    /// One line per seal that failed.
    public let problems: [String]
}
