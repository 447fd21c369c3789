import Foundation
import GRDB
import Registry

/// The product developers the notify benchmarks send to: `count` active TLS vendors `vendor-NNNN`, every other
/// one Japanese, each with one `to` contact psirt@<id>.example.
enum BenchmarkVendors {
    /// Inserts them into `store` in one transaction; `digits` is the width of the number in each id.
    static func insert(into store: RegistryStore, count: Int, digits: Int) throws {
        try store.writer.write { db in
            let now = Date()
            for i in 0..<count {
                let id = String(format: "vendor-%0\(digits)d", i)
                let ja = i % 2 == 0
                try db.execute(sql: """
                    INSERT INTO organization (id, name, localName, kind, country, domains, languages, technologies, status, createdAt, updatedAt)
                    VALUES (?, ?, ?, 'product-developer', 'JP', ?, ?, '["tls"]', 'active', ?, ?)
                    """, arguments: [id, "Vendor \(i) Inc.", ja ? "ベンダー\(i)株式会社" : nil, "[\"\(id).example\"]",
                                     ja ? "[\"ja\"]" : "[\"en\"]", now, now])
                try db.execute(sql: "INSERT INTO contact (organizationId, email, name, role, language, active) VALUES (?, ?, 'PSIRT', 'to', ?, 1)",
                               arguments: [id, "psirt@\(id).example", ja ? "ja" : "en"])
            }
        }
    }
}
