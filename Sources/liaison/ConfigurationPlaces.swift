import Foundation
import Gateway
import OpenPGP
import Registry
import SMTP
import Synchronization

/// Names the liaison.yaml field (and line) behind an error caused by a setting: a `gnupg.home` that does not
/// exist, a `sender.signing_key` without its secret key (or that cannot sign), `smtp.tls: none` to a relay that is not on loopback.
enum ConfigurationPlaces {
    /// The configuration the running command loaded (one command per process).
    private static let loaded = Mutex<WorkspaceConfiguration?>(nil)

    static func remember(_ configuration: WorkspaceConfiguration) {
        loaded.withLock { $0 = configuration }
    }

    /// `error`'s sentence prefixed with `liaison.yaml:LINE: field: ` when a configured field caused it; nil otherwise.
    static func locate(_ error: any Error) -> String? {
        guard let configuration = loaded.withLock({ $0 }) else { return nil }
        func at(_ field: String, _ description: String) -> String? {
            configuration.lines[field] == nil ? nil : "\(configuration.place(of: field)): \(description)"
        }
        let signingKey = configuration.sender.signingKey
        switch error {
        case let error as OpenPGPError where error == .homeDirectory:
            return at("gnupg.home", error.description)
        case let error as OpenPGPError where [.noSecretKey, .keyNotFound, .unusableKey].contains(error)
                                             && signingKey != nil && sameKey(error.fingerprint, signingKey):
            return at("sender.signing_key", error.description)
        case let error as GatewayError where error == .signingKey:
            return at("sender.signing_key", error.description)
        case let error as SigningFault:
            return error.field.map { at($0, error.description) ?? "\(configuration.place(of: $0)): \(error.description)" }
        case let error as GatewayProblems:
            // Problems are listed one a line; only those a setting caused are placed.
            let lines = error.problems.map { problem in
                error.fields[problem].flatMap { at($0, problem) } ?? problem
            }
            return lines == error.problems ? nil : lines.joined(separator: "\n")
        case let error as SMTPError where error == .plainToNonLoopback:
            return configuration.smtp.tls == "none" ? at("smtp.tls", error.description) : nil
        default:
            return nil
        }
    }

    /// True when both name the same key, whatever the case of their hexadecimal digits or spaces between groups.
    private static func sameKey(_ a: String?, _ b: String?) -> Bool {
        func plain(_ text: String?) -> String? { text.map { $0.filter { !$0.isWhitespace }.uppercased() } }
        return plain(a) != nil && plain(a) == plain(b)
    }
}
