import ArgumentParser
import Foundation
import Gateway
import Registry
import WebFetch

/// `liaison directory discover DOMAIN… [--write] [--ca-file PEM] [--country CC]`
struct DirectoryDiscoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Read vendors' security.txt (RFC 9116) and propose directory entries, or show how they differ.",
        discussion: """
            Fetches https://DOMAIN/.well-known/security.txt, then https://DOMAIN/security.txt, with certificate checks.
            For a new domain, prints the proposed Directory/organizations/<id>.yaml and the key named by Encryption; \
            for a domain already in the directory, prints the differences with its file. An expired file, a Canonical \
            that does not match, a bad signature or a non-HTTPS URL is a warning. Of a signed file, only the text \
            GnuPG verified is read: text after the signature block is a warning and never written. Nothing is \
            written without --write, and an existing file is never overwritten; --write writes nothing for a domain \
            whose signature does not verify with its published key, or whose files would fail `directory check`.
            """)

    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "Domains, e.g. example.com (a port may follow: localhost:8443).") var domains: [String]
    @Flag(help: "Write the proposed organisation files and keys into Directory/.") var write = false
    @Option(help: "PEM file of the certificate authorities to trust instead of the system's.") var caFile: String?
    @Option(help: "Country (ISO 3166-1 alpha-2) of proposed entries; default: the domain's country-code TLD, else our own organisation's country.")
    var country: String?
    @Option(help: "Seconds allowed for each fetch.") var timeout: Double = 15
    @Option(name: .customLong("connect-to"), help: ArgumentHelp("Connect to another address for HOST:PORT, as curl's --connect-to (repeatable).", valueName: "HOST:PORT:TO-HOST:TO-PORT"))
    var connectTo: [String] = []

    func run() throws {
        let located = try workspace.locate()
        let configuration = try workspace.configuration(of: located)
        let (contents, _) = DirectoryLoader().load(located)
        let discovery = SecurityTxtDiscovery(fetcher: HTTPSFetcher(caFile: caFile.map { located.resolve($0).path }, timeout: timeout, connectTo: connectTo))
        let ownCountry = contents.definitions.first { $0.id == configuration.sender.organization }?.country
        var failures = 0
        for domain in domains {
            let finding: SecurityTxtFinding
            do { finding = try discovery.discover(domain) } catch {
                CommandSupport.printError("\(error)")
                failures += 1
                continue
            }
            print("\(domain): \(finding.url)\(finding.file.isSigned ? (finding.signatureVerified ? " (signature verified: \(finding.key?.fingerprint ?? ""))" : " (signed)") : " (unsigned)")")
            for warning in finding.warnings { print("  warning: \(warning)") }
            let host = domain.split(separator: ":").first.map { $0.lowercased() } ?? domain
            let published = Set(finding.file.emailAddresses.map { $0.lowercased() })
            // The entry of the domain, else the one already holding a published address.
            let existing = contents.organizations.first { $0.definition.domains.contains(host) }
                ?? contents.organizations.first { file in file.definition.contacts.contains { published.contains($0.email.lowercased()) } }
            if let existing {
                let differences = SecurityTxtDiscovery.differences(finding, from: existing.definition)
                let path = existing.path
                if differences.isEmpty {
                    print("  \(existing.definition.id) (\(path)) matches the published file")
                } else {
                    print("  differences with \(path):")
                    differences.forEach { print("    \($0)") }
                }
                continue
            }
            let countryCode = country?.uppercased() ?? Self.countryOfTLD(host) ?? ownCountry ?? ""
            guard CountryCodes.isAssigned(countryCode) else {
                CommandSupport.printError("\(domain): no country for the proposed entry; pass --country CC")
                failures += 1
                continue
            }
            let definition = SecurityTxtDiscovery.proposal(finding, country: countryCode)
            let yaml = OrganizationYAML.render(definition)
            let relative = "Directory/organizations/\(definition.id).yaml"
            let target = located.organizationsURL.appendingPathComponent("\(definition.id).yaml")
            let keyTarget = finding.key.map { located.keysURL.appendingPathComponent("\($0.fingerprint).asc") }
            // What would be written is checked first with `directory check`'s own rules, on a scratch copy.
            var files = [(path: relative, data: Data(yaml.utf8))]
            if let key = finding.key, let keyTarget, !FileManager.default.fileExists(atPath: keyTarget.path) {
                files.append((path: "Directory/keys/\(key.fingerprint).asc", data: key.armored))
            }
            var refusals: [String]
            do {
                refusals = try DirectoryLoader().errors(adding: files, to: located).map { "would fail `directory check`: \($0)" }
            } catch {
                refusals = ["cannot be checked before writing: \(error.localizedDescription)"]
            }
            if finding.file.isSigned, !finding.signatureVerified, finding.key != nil {
                refusals.insert("the signature does not verify with the published key", at: 0)
            }
            if write, !refusals.isEmpty {
                refusals.forEach { CommandSupport.printError("\(domain): not written: \($0)") }
                failures += 1
                continue
            }
            if write {
                if FileManager.default.fileExists(atPath: target.path) {
                    CommandSupport.printError("\(domain): \(relative) exists already; not overwritten")
                    failures += 1
                    continue
                }
                do {
                    try FileManager.default.createDirectory(at: located.organizationsURL, withIntermediateDirectories: true)
                    try Data(yaml.utf8).write(to: target, options: .withoutOverwriting)
                    print("  wrote \(relative)")
                    if let key = finding.key, let keyTarget, !FileManager.default.fileExists(atPath: keyTarget.path) {
                        try FileManager.default.createDirectory(at: located.keysURL, withIntermediateDirectories: true)
                        try key.armored.write(to: keyTarget, options: .withoutOverwriting)
                        print("  wrote Directory/keys/\(key.fingerprint).asc")
                    }
                } catch {
                    CommandSupport.printError("\(domain): cannot write \(relative): \(error.localizedDescription)")
                    failures += 1
                }
            } else {
                print("  proposed \(relative):")
                yaml.split(separator: "\n", omittingEmptySubsequences: false).dropLast(yaml.hasSuffix("\n") ? 1 : 0)
                    .forEach { print("    \($0)") }
                if let key = finding.key {
                    print("  key \(key.fingerprint) from \(key.url) would be saved as Directory/keys/\(key.fingerprint).asc")
                }
                refusals.forEach { print("  would not be written: \($0)") }
                print("  nothing written" + (refusals.isEmpty ? " (use --write)" : ""))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// The country of a two-letter top-level domain (`.jp` → JP), when it is an ISO 3166-1 code.
    static func countryOfTLD(_ host: String) -> String? {
        guard let tld = host.split(separator: ".").last, tld.count == 2, host.contains(".") else { return nil }
        let code = tld.uppercased() == "UK" ? "GB" : tld.uppercased()
        return CountryCodes.isAssigned(code) ? code : nil
    }
}

/// `directory check --security-txt [--ca-file PEM] [--connect-to …]`: the opt-in network part of the check.
struct SecurityTxtCheckOptions: ParsableArguments {
    @Flag(name: .customLong("security-txt"), help: "Also fetch each developer's security.txt and warn where it differs from the directory (network).")
    var enabled = false
    @Option(help: "With --security-txt: PEM file of the certificate authorities to trust instead of the system's.")
    var caFile: String?
    @Option(name: .customLong("connect-to"), help: ArgumentHelp("With --security-txt: connect to another address for HOST:PORT, as curl's --connect-to (repeatable).", valueName: "HOST:PORT:TO-HOST:TO-PORT"))
    var connectTo: [String] = []
    @Option(name: .customLong("fetch-timeout"), help: "With --security-txt: seconds allowed for each fetch.")
    var timeout: Double = 15

    func problems(_ contents: DirectoryContents, workspace: Workspace) -> [DirectoryProblem] {
        guard enabled else { return [] }
        let fetcher = HTTPSFetcher(caFile: caFile.map { workspace.resolve($0).path }, timeout: timeout, connectTo: connectTo)
        return SecurityTxtCheck(discovery: SecurityTxtDiscovery(fetcher: fetcher)).problems(contents.organizations)
    }
}
