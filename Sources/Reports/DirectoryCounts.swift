import Foundation
import Registry

/// Counts the directory at the quarter's end: registered developers, APCERT members, national CSIRT partners,
/// agreements, keys and bouncing addresses.
enum DirectoryCounts {
    static let keyProblemKinds = ["missing", "expired", "expiring", "revoked"]
    /// A key expiring within this many days after the quarter's end is reported.
    static let keyWarningDays = 30

    static let registeredDefinition = "Organisations of kind 'product-developer' with a 'developer-registration' "
        + "agreement signed on or before the quarter's last day and not ended by then (ended empty or later)."

    static func figures(_ queries: any ReportQueries, _ window: ReportWindow, registrations: DeveloperRegistrations,
                        bounces: QuarterBounces) throws -> DirectoryFigures {
        let registeredNow = registrations.registered(on: window.lastDay)
        let registeredBefore = registrations.registered(on: window.quarter.previous.lastDay)

        let bounds = window.bounds
        let apcert = try queries.members(of: "APCERT", on: bounds.lastDay)
        let partners = try queries.nationalCSIRTPartners(on: bounds.lastDay)

        let signed = try queries.agreementsSigned(from: bounds.firstDay, through: bounds.lastDay).map { row in
            SignedAgreement(organizationId: row.organizationId, organizationName: row.organizationName ?? row.organizationId,
                            organizationLocalName: row.organizationLocalName, kind: row.kind, signed: row.signed.description)
        }
        let mous = signed.filter { $0.kind == "mou" }
        let others = signed.filter { $0.kind != "mou" }

        let keyProblems = try self.keyProblems(queries, window)
        var byKind = [String: Int](uniqueKeysWithValues: keyProblemKinds.map { ($0, 0) })
        for problem in keyProblems { byKind[problem.problem, default: 0] += 1 }

        let bounced = bounces.addresses

        let limit = QuarterReport.listLimit
        return DirectoryFigures(
            registeredDevelopers: .count(registeredNow.count,
                "Product developers registered with us on the quarter's last day.", rule: registeredDefinition),
            newDevelopers: .count(registeredNow.subtracting(registeredBefore).count,
                "Of those, the ones that were not registered at the end of the previous quarter.", rule:
                "Registered product developers (as above) at the quarter's last day that were not registered at the "
                + "previous quarter's last day."),
            apcertMembers: .count(apcert, "Teams that were APCERT members on the quarter's last day.", rule:
                "Organisations with an APCERT membership whose since is on or before the quarter's last day (or not "
                + "recorded) and whose until is empty or later."),
            nationalCSIRTPartners: .count(partners,
                "National CSIRTs we worked with on the quarter's last day (active, or bound to us by an MoU).", rule:
                "Organisations of kind 'national-csirt' active at the quarter's last day (status active, or retired "
                + "only after it) or with an MoU signed by then and not ended."),
            mouSigned: ListedFigure(.count(mous.count, "Memoranda of understanding signed in the quarter.", rule:
                "Agreements of kind 'mou' signed between the quarter's first and last day."), items: Array(mous.prefix(limit))),
            otherAgreementsSigned: ListedFigure(.count(others.count,
                "Other agreements (such as developer registrations) signed in the quarter.", rule:
                "Agreements of any other kind (developer-registration…) signed between the quarter's first and last day."),
                items: Array(others.prefix(limit))),
            keyProblems: ListedFigure(.count(keyProblems.count,
                "Contacts whose PGP key we cannot use: missing, revoked, expired, or expiring within "
                + "\(keyWarningDays) days after the quarter.", rule:
                "Active contacts with a pgp fingerprint whose key is missing from the key table, revoked, or expiring "
                + "before \(keyWarningDays) days after the quarter's end (already expired included)."),
                items: Array(keyProblems.prefix(limit))),
            keyProblemsByKind: byKind.reduce(into: [:]) { result, entry in
                result[entry.key] = .count(entry.value, keyProblemPlain(entry.key), rule: keyProblemDefinition(entry.key))
            },
            bouncedAddresses: ListedFigure(.count(bounced.count,
                "Addresses to which mail could not be delivered in the quarter (each address once).", rule:
                "Distinct addresses (case-insensitive) of a recipient marked 'bounced' with updatedAt in the quarter, "
                + "or of a contact whose lastBounceAt is in the quarter."), items: Array(bounced.prefix(limit))))
    }

    private static func keyProblemPlain(_ kind: String) -> String {
        switch kind {
        case "missing": "Contacts whose PGP key we do not have."
        case "expired": "Contacts whose PGP key expired before the quarter ended."
        case "expiring": "Contacts whose PGP key expires within \(keyWarningDays) days after the quarter."
        case "revoked": "Contacts whose PGP key was revoked."
        default: "Contacts with the key problem '\(kind)'."
        }
    }

    private static func keyProblemDefinition(_ kind: String) -> String {
        switch kind {
        case "missing": "Active contacts with a pgp fingerprint that has no row in the key table."
        case "expired": "Active contacts whose key expired before the quarter's end (not revoked)."
        case "expiring": "Active contacts whose key expires within \(keyWarningDays) days after the quarter's end (not revoked)."
        case "revoked": "Active contacts whose key is marked revoked."
        default: "Active contacts with a key problem '\(kind)'."
        }
    }

    private static func keyProblems(_ queries: any ReportQueries, _ window: ReportWindow) throws -> [KeyProblem] {
        let warnUntil = window.end.addingTimeInterval(Double(keyWarningDays) * 86_400)
        return try queries.contactKeysUnusable(before: warnUntil).map { key in
            let problem = key.missing ? "missing" : key.revoked ? "revoked"
                : (key.expiresAt.map { $0 < window.end } ?? false) ? "expired" : "expiring"
            return KeyProblem(email: key.email, organizationId: key.organizationId, fingerprint: key.fingerprint,
                              problem: problem, expiresAt: key.expiresAt)
        }
    }
}

/// The developer-registration agreements of product developers, read once and asked for any day.
struct DeveloperRegistrations {
    private let agreements: [DeveloperRegistration]

    init(_ queries: any ReportQueries) throws {
        agreements = try queries.developerRegistrations()
    }

    /// Organisations registered at the end of `day` (`YYYY-MM-DD`).
    func registered(on day: String) -> Set<String> {
        Set(agreements.lazy.filter { $0.signed <= day && ($0.ended.map { $0 > day } ?? true) }.map(\.organizationId))
    }
}
