import Foundation
import OpenPGP
import Registry
import WebFetch

/// What `directory discover` found for one domain.
public struct SecurityTxtFinding: Sendable {
    public var domain: String
    /// The URL the file was read from.
    public var url: String
    public var file: SecurityTxt
    /// Named problems: expired file, Canonical that does not match, bad signature, non-HTTPS URL, …
    public var warnings: [String]
    /// The key published under `Encryption`, when one was fetched and read.
    public var key: PublishedKey?
    /// The signature was checked and is good, made by the published key.
    public var signatureVerified: Bool

    public struct PublishedKey: Sendable, Equatable {
        /// Upper-case hex.
        public var fingerprint: String
        public var armored: Data
        public var url: String
    }
}

/// Fetches and checks a domain's `security.txt` (RFC 9116 §3: `/.well-known/security.txt`, then
/// `/security.txt`), the key its first https `Encryption` URL names, and the signature of a signed file.
///
/// ```swift
/// let finding = try SecurityTxtDiscovery(fetcher: HTTPSFetcher(caFile: "ca.pem")).discover("example.com")
/// ```
public struct SecurityTxtDiscovery: Sendable {
    public var fetcher: HTTPSFetcher
    public var now: Date

    public init(fetcher: HTTPSFetcher, now: Date = Date()) {
        self.fetcher = fetcher
        self.now = now
    }

    /// Largest security.txt accepted; the file is a few hundred bytes in practice.
    public static let maxFileBytes = 64 * 1024
    /// Largest key accepted.
    public static let maxKeyBytes = 1 << 20

    /// Fetches, parses and checks; throws `GatewayError.input` with one line naming the domain when the domain is
    /// malformed, no file is found, or the file cannot be fetched or read.
    public func discover(_ domain: String) throws -> SecurityTxtFinding {
        guard Self.isDomainWithOptionalPort(domain) else {
            throw GatewayError.input("\(domain): not a domain name (optionally with :port)")
        }
        var fileFetcher = fetcher
        fileFetcher.maxBytes = Self.maxFileBytes
        var resource: FetchedResource?
        var lastError: WebFetchError?
        for path in ["/.well-known/security.txt", "/security.txt"] {
            do {
                resource = try fileFetcher.fetch("https://\(domain)\(path)")
                break
            } catch let error where error == .httpStatus {
                lastError = error
            } catch {
                throw GatewayError.input("\(domain): \(error.description)")
            }
        }
        guard let resource else {
            throw GatewayError.input("\(domain): no security.txt (\(lastError?.description ?? "not found"))")
        }
        // Of a signed file, what this parser reads is used only to find the key; the fields come from the text
        // GnuPG verified, and anything outside it is a warning, never a field.
        var file: SecurityTxt
        do { file = try SecurityTxt.parse(resource.body) } catch {
            throw GatewayError.input("\(domain): \(resource.url) \(error.description)")
        }
        var warnings: [String] = []
        var signed: (message: Data, unsignedLines: [Int])?
        if file.isSigned {
            signed = SecurityTxt.signedMessage(in: resource.body)
            if let lines = signed?.unsignedLines, let first = lines.first {
                warnings.append("unsigned text: \(resource.url) has text after its signature block (line \(first)"
                                + (lines.count > 1 ? " and \(lines.count - 1) more" : "") + "); it is not signed and was ignored")
            }
        }
        var key: SecurityTxtFinding.PublishedKey?
        if let keyURL = file.encryption.first(where: { $0.lowercased().hasPrefix("https:") }) {
            var keyFetcher = fetcher
            keyFetcher.maxBytes = Self.maxKeyBytes
            do {
                let fetched = try keyFetcher.fetch(keyURL).body
                let (published, warning) = try Self.singleKey(fetched, url: keyURL)
                key = published
                if let warning { warnings.append(warning) }
            } catch {
                warnings.append("key: \(keyURL) could not be used: \(error)")
            }
        } else if !file.encryption.isEmpty {
            warnings.append("key: no https Encryption URL to fetch a key from (\(file.encryption.joined(separator: ", ")))")
        }
        var verified = false
        if file.isSigned {
            if let key, let signed {
                do {
                    let verification = try Self.withScratchHome { context in
                        _ = try context.importKeys(key.armored)
                        return try context.verifyInline(signed.message)
                    }
                    let checks = verification.signatures
                    if !checks.isEmpty, checks.allSatisfy({ $0.isValid && $0.fingerprint.uppercased() == key.fingerprint }) {
                        verified = true
                        // The fields are those of the text GnuPG verified, nothing else.
                        let headers = String(decoding: signed.message, as: UTF8.self).components(separatedBy: "\n")
                            .firstIndex { $0.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r"))).isEmpty } ?? 0
                        do { file = try SecurityTxt.parse(verification.plaintext, firstLine: headers + 2) } catch {
                            throw GatewayError.input("\(domain): \(resource.url): the signed text \(error.description)")
                        }
                        file.isSigned = true
                    } else if let check = checks.first(where: { $0.status == .noPublicKey }) {
                        warnings.append("bad signature: \(resource.url) is signed by \(check.fingerprint), not by the published key \(key.fingerprint)")
                    } else {
                        warnings.append("bad signature: the signature of \(resource.url) does not verify with \(key.fingerprint)")
                    }
                } catch let error as GatewayError {
                    throw error
                } catch {
                    warnings.append("bad signature: the signature of \(resource.url) cannot be checked: \(error)")
                }
            } else if key != nil {
                warnings.append("bad signature: \(resource.url) has no complete signature block")
            } else {
                warnings.append("unverified signature: \(resource.url) is signed but no key was published to check it")
            }
        }
        warnings = file.problems.map { "\(resource.url) \($0)" } + warnings
        if let expires = file.expires, expires < now {
            warnings.append("expired: \(resource.url) expired on \(Timestamp.string(expires))")
        }
        if !file.canonical.isEmpty, !file.canonical.contains(resource.url) {
            warnings.append("canonical mismatch: fetched \(resource.url) but Canonical names \(file.canonical.joined(separator: ", "))")
        }
        for (field, uri) in file.uris where uri.lowercased().hasPrefix("http:") {
            warnings.append("non-HTTPS URL in \(field): \(uri)")
        }
        return SecurityTxtFinding(domain: domain, url: resource.url, file: file, warnings: warnings, key: key,
                                  signatureVerified: verified)
    }

    /// The one public key `data` holds, as the directory keeps keys: exactly one ASCII-armored public key block.
    /// A key served with text around it, or in binary, is armored again from what GnuPG read (with a warning);
    /// data with no key or several keys gives none (with a warning).
    static func singleKey(_ data: Data, url: String) throws -> (SecurityTxtFinding.PublishedKey?, String?) {
        try withScratchHome { context in
            let keys = try context.inspectKeys(data)
            guard keys.count == 1, let only = keys.first else {
                let what = keys.isEmpty ? "holds no OpenPGP public key" : "holds \(keys.count) keys (\(keys.map(\.fingerprint).joined(separator: ", "))); none was taken"
                return (nil, "key: \(url) \(what)")
            }
            let fingerprint = only.fingerprint.uppercased()
            if let text = String(data: data, encoding: .utf8), DirectoryLoader.singleArmoredKeyProblem(text) == nil {
                return (.init(fingerprint: fingerprint, armored: data, url: url), nil)
            }
            _ = try context.importKeys(data)
            let armored = try context.exportPublicKey(fingerprint: fingerprint)
            return (.init(fingerprint: fingerprint, armored: armored, url: url),
                    "key: \(url) serves the key \(data.first.map { $0 & 0x80 != 0 } == true ? "in binary" : "with other text around it"); only the key, armored, is kept")
        }
    }

    /// host or host:port.
    static func isDomainWithOptionalPort(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let host = parts.first, !host.isEmpty,
              host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else { return false }
        if parts.count == 2 { return Int(parts[1]).map { (1...65535).contains($0) } ?? false }
        return true
    }

    /// Runs `body` with a gpgme context on a throwaway GnuPG home, removed afterwards.
    static func withScratchHome<T>(_ body: (OpenPGPContext) throws -> T) throws -> T {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-discover-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { ThrowawayHome.remove(scratch.path) }
        return try body(try OpenPGPContext(homeDirectory: scratch.path))
    }

    // MARK: Proposal and comparison

    /// A directory entry for a domain not yet in the directory: a product developer named after the domain, its
    /// mailto: contacts (first `to`, others `cc`) in the first preferred language, with the published key.
    public static func proposal(_ finding: SecurityTxtFinding, country: String) -> OrganizationDefinition {
        let host = finding.domain.split(separator: ":").first.map(String.init)?.lowercased() ?? finding.domain
        let id = host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
        let language = finding.file.preferredLanguages.first.flatMap { TextSyntax.isLanguageTag($0) ? $0.lowercased() : nil }
        let contacts = finding.file.emailAddresses.filter(TextSyntax.isEmailAddress).enumerated().map { index, email in
            ContactDefinition(email: email, name: "security.txt contact", role: index == 0 ? .to : .cc,
                              language: language, pgp: finding.key?.fingerprint)
        }
        var notes = ["Proposed from \(finding.url)."]
        let unusable = finding.file.emailAddresses.filter { !TextSyntax.isEmailAddress($0) }
        if !unusable.isEmpty { notes.append("Not e-mail addresses: \(unusable.joined(separator: ", ")).") }
        let other = finding.file.contacts.filter { !$0.lowercased().hasPrefix("mailto:") }
        if !other.isEmpty { notes.append("Other contacts: \(other.joined(separator: ", ")).") }
        if !finding.file.policy.isEmpty { notes.append("Policy: \(finding.file.policy.joined(separator: ", ")).") }
        if !finding.file.csaf.isEmpty { notes.append("CSAF: \(finding.file.csaf.joined(separator: ", ")).") }
        return OrganizationDefinition(
            id: id.replacingOccurrences(of: ".", with: "-"), name: host, kind: .productDeveloper, country: country,
            domains: TextSyntax.isDomainName(host) ? [host] : [],
            languages: finding.file.preferredLanguages.filter(TextSyntax.isLanguageTag).map { $0.lowercased() },
            notes: notes.joined(separator: " "), contacts: contacts)
    }

    /// How the published file differs from an organisation's directory entry; empty when they agree.
    public static func differences(_ finding: SecurityTxtFinding, from definition: OrganizationDefinition) -> [String] {
        var lines: [String] = []
        let published = Set(finding.file.emailAddresses.map { $0.lowercased() })
        let known = Set(definition.contacts.filter(\.active).map { $0.email.lowercased() })
        for email in published.subtracting(known).sorted() { lines.append("contact \(email) is published but not in the directory") }
        for email in known.subtracting(published).sorted() { lines.append("contact \(email) is in the directory but not published") }
        if let key = finding.key {
            let directoryKeys = Set(definition.contacts.compactMap { $0.pgp?.uppercased() })
            if !directoryKeys.contains(key.fingerprint) {
                lines.append("key \(key.fingerprint) is published but the directory's contacts use "
                             + (directoryKeys.isEmpty ? "no key" : directoryKeys.sorted().joined(separator: ", ")))
            }
        }
        let languages = finding.file.preferredLanguages.map { $0.lowercased() }
        if !languages.isEmpty, languages != definition.languages.map({ $0.lowercased() }) {
            lines.append("languages published \(languages.joined(separator: ", ")), directory \(definition.languages.isEmpty ? "none" : definition.languages.joined(separator: ", "))")
        }
        return lines
    }
}
