import Foundation
import Registry

/// `directory check --security-txt`: for every product developer with `domains`, compares each domain's published
/// security.txt with the directory entry, as warnings (`FILE:1: warning: …`) that never stop a sync.
///
/// Warned: a file that disappeared or cannot be read, an expired file, a bad signature, text after the signature
/// block, contacts or a key that differ from the directory, other preferred languages.
public struct SecurityTxtCheck: Sendable {
    public var discovery: SecurityTxtDiscovery

    public init(discovery: SecurityTxtDiscovery) {
        self.discovery = discovery
    }

    /// One warning per finding, ordered by file then domain.
    public func problems(_ organizations: [OrganizationFile]) -> [DirectoryProblem] {
        var problems: [DirectoryProblem] = []
        for file in organizations.sorted(by: { $0.path < $1.path })
        where file.definition.kind == .productDeveloper && file.definition.status == .active {
            for domain in file.definition.domains {
                func warn(_ message: String) {
                    problems.append(DirectoryProblem(file: file.path, line: 1, severity: .warning,
                                                     message: "security.txt of \(domain): \(message)"))
                }
                let finding: SecurityTxtFinding
                do { finding = try discovery.discover(domain) } catch {
                    let text = "\(error)".replacingOccurrences(of: "\(domain): ", with: "")
                    warn("disappeared or unreadable: \(text)")
                    continue
                }
                for warning in finding.warnings
                where ["expired", "bad signature", "unsigned text"].contains(where: { warning.hasPrefix($0) }) {
                    warn(warning)
                }
                SecurityTxtDiscovery.differences(finding, from: file.definition).forEach(warn)
            }
        }
        return problems
    }
}
