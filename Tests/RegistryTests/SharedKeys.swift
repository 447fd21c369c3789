import Foundation
import TestSupport

/// Keys generated once per test run (GnuPG key generation is the slow part) and shared by the tests.
enum SharedKeys {
    static let all: [TemporaryWorkspace.Key] = {
        do {
            return try TemporaryWorkspace.generateKeys([
                .init(userId: "PSIRT <psirt@good.example>"),
                .init(userId: "Old <psirt@old.example>", expiry: .expired),
                .init(userId: "Soon <psirt@soon.example>", expiry: .inDays(10)),
                .init(userId: "Revoked <psirt@revoked.example>", revoked: true),
                .init(userId: "Secret <psirt@secret.example>", withSecret: true),
            ])
        } catch {
            fatalError("Test keys cannot be generated: \(error)")
        }
    }()

    /// Never expires; user ID psirt@good.example.
    static var good: TemporaryWorkspace.Key { all[0] }
    /// Expired in 2020; user ID psirt@old.example.
    static var expired: TemporaryWorkspace.Key { all[1] }
    /// Expires in 10 days; user ID psirt@soon.example.
    static var expiringSoon: TemporaryWorkspace.Key { all[2] }
    /// Revoked; user ID psirt@revoked.example.
    static var revoked: TemporaryWorkspace.Key { all[3] }
    /// With its secret key exported too; user ID psirt@secret.example.
    static var withSecret: TemporaryWorkspace.Key { all[4] }
}
