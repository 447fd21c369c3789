import Foundation
import GRDB
import Registry
import TestSupport

/// `liaison-bench registry`: a directory of 10,000 organisations and 30,000 contacts (and a few keys) in a
/// temporary workspace; prints the time of `directory check`, the first sync, a no-change sync, a sync after
/// editing 1% of the files, and `audit verify` over the resulting event log.
enum RegistryBenchmark {
    static let organizationCount = 10_000
    static let contactsPerOrganization = 3
    static let keyCount = 20

    static func run() throws {
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        let workspace = Workspace(root: temp.root)
        print("registry benchmark: \(organizationCount) organisations, \(organizationCount * contactsPerOrganization) contacts, \(keyCount) keys")
        print("workspace: \(temp.root.path)")

        let keys = try TemporaryWorkspace.generateKeys((0..<keyCount).map {
            .init(userId: "Bench \($0) <contact0@org\($0).example>")
        })
        for key in keys { try temp.writeKey(key) }
        let technologies = ["tls", "dns", "tcp-ip", "http-server", "http-client", "ssh", "smtp", "ipv6", "xml", "zip"]
        let kinds = ["product-developer", "product-developer", "product-developer", "csirt", "national-csirt"]
        for index in 0..<organizationCount {
            try temp.writeOrganization("org\(index)", organization(index, technologies: technologies, kinds: kinds,
                                                                   key: index < keys.count ? keys[index].fingerprint : nil))
        }

        let (contents, problems) = try measure("directory check") { DirectoryLoader().load(workspace) }
        print("  \(contents.organizations.count) organisations, \(contents.keys.count) keys, \(problems.count) problems")
        let store = try workspace.openStore(.init(creatingIfMissing: true))
        let sync = DirectorySync(workspace: workspace, store: store, actor: "bench")
        let first = try measure("first sync") { try sync.run() }
        print("  \(first.changes.count) changes, \(first.importedKeys) keys imported, \(first.errorCount) errors")
        let second = try measure("no-change sync") { try sync.run() }
        print("  \(second.changes.count) changes")

        for index in stride(from: 0, to: organizationCount, by: 100) {
            try temp.writeOrganization("org\(index)", organization(index, technologies: ["tls"], kinds: kinds,
                                                                   key: index < keys.count ? keys[index].fingerprint : nil))
        }
        let third = try measure("sync after editing 1% of the files") { try sync.run() }
        print("  \(third.changes.count) changes")
        let verification = try measure("audit verify") { try store.events.verify() }
        print("  \(verification)")
    }

    private static func organization(_ index: Int, technologies: [String], kinds: [String], key: String?) -> String {
        let kind = kinds[index % kinds.count]
        let tags = kind == "product-developer" ? (0..<3).map { technologies[(index + $0 * 3) % technologies.count] } : []
        var text = """
            id: org\(index)
            name: Organisation \(index)
            localName: 組織\(index)
            kind: \(kind)
            country: \(["JP", "KR", "TW", "US", "GB", "SG"][index % 6])
            domains: [org\(index).example]
            languages: [ja, en]
            memberships:
              - { body: APCERT, role: full, since: 2003-02-01 }
            agreements:
              - { kind: developer-registration, signed: 200\(4 + index % 4)-0\(1 + index % 9)-15 }
            technologies: [\(Set(tags).sorted().joined(separator: ", "))]
            status: active
            contacts:

            """
        for contact in 0..<contactsPerOrganization {
            let pgp = contact == 0 ? key.map { ", pgp: \($0)" } ?? "" : ""
            text += "  - { email: contact\(contact)@org\(index).example, name: 担当者\(contact), role: \(contact == 0 ? "to" : "cc"), language: ja\(pgp) }\n"
        }
        return text
    }

}
