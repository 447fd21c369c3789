import Foundation
import Registry

/// The product developers the notify benchmarks send to: `count` active TLS vendors `vendor-NNNN`, every other
/// one Japanese, each with one `to` contact psirt@<id>.example.
enum BenchmarkVendors {
    /// Loads them into `store` as `directory sync` would (one transaction, an event per organisation); `digits`
    /// is the width of the number in each id.
    static func insert(into store: RegistryStore, count: Int, digits: Int) throws {
        let files = (0..<count).map { i -> OrganizationFile in
            let id = String(format: "vendor-%0\(digits)d", i)
            let ja = i % 2 == 0
            let definition = OrganizationDefinition(
                id: id, name: "Vendor \(i) Inc.", localName: ja ? "ベンダー\(i)株式会社" : nil, kind: .productDeveloper,
                country: "JP", domains: ["\(id).example"], languages: [ja ? "ja" : "en"], technologies: ["tls"],
                contacts: [ContactDefinition(email: "psirt@\(id).example", name: "PSIRT", role: .to, language: ja ? "ja" : "en")])
            return OrganizationFile(path: "Directory/organizations/\(id).yaml", definition: definition)
        }
        let now = Date()
        _ = try store.directory.sync(DirectoryContents(organizations: files), retiredOn: CalendarDate(now, in: TimeZone(identifier: "UTC")!),
                                     actor: "bench", at: now, importingKeys: { _ in 0 })
    }
}
