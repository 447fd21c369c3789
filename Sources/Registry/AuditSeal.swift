import Foundation
import GRDB
import OpenPGP

/// The head of the event log at one moment (how many events, the hash of the last one, when), signed with the
/// workspace's OpenPGP key and kept outside the database, so that a log rewritten from some row on (every later
/// hash recomputed) or emptied (`sqlite_sequence` reset) no longer matches it.
///
/// A seal file is text: the statement, then an armored detached OpenPGP signature over the statement's bytes.
/// ```
/// Liaison audit seal
/// events: 42
/// head: 3f2a…(64 hex digits)
/// sealed: 2026-11-30T18:20:00Z
/// signer: 0123…CDEF
/// -----BEGIN PGP SIGNATURE-----
/// …
/// ```
public struct AuditSeal: Sendable, Equatable {
    /// How many events the log held.
    public let eventCount: Int
    /// The hash of the last of them (64 zeros for an empty log).
    public let headHash: String
    /// When the seal was made, to the second.
    public let sealedAt: Date
    /// The fingerprint of the key the seal says signed it (checked by `AuditSeals.check`).
    public let signer: String
    /// The file it was read from, if any.
    public let file: URL?

    /// The signed statement.
    public var statement: String {
        """
        \(AuditSeals.title)
        events: \(eventCount)
        head: \(headHash)
        sealed: \(AuditSeals.timestamp(sealedAt))
        signer: \(signer)

        """
    }

    /// One line for reports: `42 events, head 3f2a…, sealed 2026-11-30T18:20:00Z by 0123…CDEF`.
    public var summary: String {
        "\(eventCount) event\(eventCount == 1 ? "" : "s"), head \(headHash.prefix(16))…, sealed \(AuditSeals.timestamp(sealedAt)) by \(signer)"
    }
}

/// Making, reading and checking audit seals.
public enum AuditSeals {
    static let title = "Liaison audit seal"
    static let signatureStart = "-----BEGIN PGP SIGNATURE-----"

    /// `.liaison/seals/`: the workspace's own seals.
    public static func folder(of workspace: Workspace) -> URL {
        workspace.stateURL.appendingPathComponent("seals", isDirectory: true)
    }

    /// The event count and the hash of the last event.
    public static func head(_ db: Database) throws -> (count: Int, hash: String) {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0
        let hash = try String.fetchOne(db, sql: "SELECT hash FROM event ORDER BY id DESC LIMIT 1") ?? EventLog.genesisHash
        return (count, hash)
    }

    /// Seals the head of `store`'s log: signs it with `signingKey` from `gnupgHome`, writes the seal into the
    /// workspace's seal folder (`seal-YYYYMMDDTHHMMSSZ-COUNT.asc`) and returns it with its text.
    ///
    /// Throws `RegistryError.gnupg` when the key cannot sign, `.fileSystem` when the file cannot be written.
    public static func seal(_ store: RegistryStore, workspace: Workspace, signingKey: String, gnupgHome: String,
                            at date: Date = Date()) throws -> (seal: AuditSeal, text: String) {
        let head = try store.writer.read { try AuditSeals.head($0) }
        let sealedAt = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        var seal = AuditSeal(eventCount: head.count, headHash: head.hash, sealedAt: sealedAt,
                             signer: Fingerprint.normalize(signingKey), file: nil)
        let signature: DetachedSignature
        do {
            let context = try OpenPGPContext(homeDirectory: gnupgHome)
            signature = try context.signDetached(Data(seal.statement.utf8), signer: seal.signer)
        } catch {
            throw RegistryError.gnupg("The audit seal cannot be signed: \(error.description)")
        }
        seal = AuditSeal(eventCount: seal.eventCount, headHash: seal.headHash, sealedAt: sealedAt,
                         signer: signature.signerFingerprint, file: nil)
        let text = seal.statement + String(decoding: signature.armored, as: UTF8.self)
        let folder = folder(of: workspace)
        let stamp = timestamp(sealedAt).filter { $0.isNumber || $0 == "T" || $0 == "Z" }
        let url = folder.appendingPathComponent("seal-\(stamp)-\(head.count).asc")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .withoutOverwriting)
        } catch {
            throw RegistryError.fileSystem("The audit seal cannot be written to \(url.path): \(error.localizedDescription)")
        }
        return (AuditSeal(eventCount: seal.eventCount, headHash: seal.headHash, sealedAt: sealedAt,
                          signer: seal.signer, file: url), text)
    }

    /// The seal in `text` (not yet checked), or nil when it is not a seal.
    public static func parse(_ text: String, file: URL? = nil) -> (seal: AuditSeal, statement: String, signature: String)? {
        guard let start = text.range(of: signatureStart) else { return nil }
        let statement = String(text[..<start.lowerBound])
        let signature = String(text[start.lowerBound...])
        let lines = statement.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 6, lines[0] == title, lines[5].isEmpty else { return nil }
        var fields: [String: String] = [:]
        for line in lines[1...4] {
            guard let colon = line.range(of: ": ") else { return nil }
            fields[String(line[..<colon.lowerBound])] = String(line[colon.upperBound...])
        }
        guard let countText = fields["events"], let count = Int(countText), count >= 0,
              let hash = fields["head"], hash.count == 64, hash.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              let sealedText = fields["sealed"], let sealedAt = try? Date(sealedText, strategy: .iso8601),
              let signer = fields["signer"], Fingerprint.isValid(signer) else { return nil }
        let seal = AuditSeal(eventCount: count, headHash: hash, sealedAt: sealedAt, signer: signer, file: file)
        // The statement must be exactly what the seal would sign: no second reading of the same bytes.
        guard seal.statement == statement else { return nil }
        return (seal, statement, signature)
    }

    /// The seal files of the workspace's seal folder, oldest name first.
    public static func files(of workspace: Workspace) -> [URL] {
        let folder = folder(of: workspace)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".asc") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The latest seal of the workspace's seal folder (by the time it states), read but not checked; nil when
    /// there is none. For reports, which print it.
    public static func latest(of workspace: Workspace) -> AuditSeal? {
        files(of: workspace).compactMap { url -> AuditSeal? in
            guard let data = FileManager.default.contents(atPath: url.path), data.count < 64 * 1024 else { return nil }
            return parse(String(decoding: data, as: UTF8.self), file: url)?.seal
        }.max { ($0.sealedAt, $0.eventCount) < ($1.sealedAt, $1.eventCount) }
    }

    /// Checks the seal files at `urls` against the chain in `store`: each must be a seal, carry a good signature
    /// by `signingKey` (the workspace's key), and match the log (the log holds at least as many events, and the
    /// event at the seal's count has the sealed hash). Returns one problem per failing seal, naming the file and
    /// the first event that may differ; an empty list when every seal holds.
    public static func check(_ urls: [URL], store: RegistryStore, signingKey: String?, gnupgHome: String,
                             relativeTo workspace: Workspace) throws -> SealCheck {
        var problems: [String] = []
        var good: [AuditSeal] = []
        let context: OpenPGPContext?
        do { context = urls.isEmpty ? nil : try OpenPGPContext(homeDirectory: gnupgHome) } catch {
            throw RegistryError.gnupg("The audit seals cannot be checked: \(error.description)")
        }
        for url in urls {
            let name = workspace.relativePath(of: url)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                problems.append("seal \(name) cannot be read")
                continue
            }
            guard data.count < 64 * 1024, let (seal, statement, signature) = parse(String(decoding: data, as: UTF8.self), file: url) else {
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
            good.append(seal)
        }
        // Compare with the chain in the order of the seals' counts, so a mismatch is placed after the last seal
        // that still holds.
        let counts = Set(good.map(\.eventCount)).sorted()
        let hashes = try store.writer.read { db -> (total: Int, byCount: [Int: (id: Int64, hash: String)]) in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0
            var byCount: [Int: (Int64, String)] = [:]
            for count in counts where count > 0 && count <= total {
                if let row = try Row.fetchOne(db, sql: "SELECT id, hash FROM event ORDER BY id LIMIT 1 OFFSET ?", arguments: [count - 1]) {
                    byCount[count] = (row["id"], row["hash"])
                }
            }
            return (total, byCount)
        }
        var lastMatching = 0
        var matched: [AuditSeal] = []
        for seal in good.sorted(by: { ($0.eventCount, $0.sealedAt) < ($1.eventCount, $1.sealedAt) }) {
            let name = workspace.relativePath(of: seal.file!)
            let sealedAt = timestamp(seal.sealedAt)
            if seal.eventCount == 0 {
                matched.append(seal)
                continue
            }
            if seal.eventCount > hashes.total {
                let first = max(hashes.total, lastMatching) + 1
                problems.append("seal \(name) (sealed \(sealedAt)) counts \(seal.eventCount) events but the log holds \(hashes.total): events were deleted or the log was rewritten from event \(first) on at the latest")
                continue
            }
            guard let row = hashes.byCount[seal.eventCount], row.hash == seal.headHash else {
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
