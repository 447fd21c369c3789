import Foundation
import Registry

/// The quarterly activity report: every figure of the reference report's §1 and §3 that Liaison can count.
///
/// Encoded as JSON by ``ReportRenderer`` with sorted keys, two-space indentation and ISO 8601 UTC instants. The
/// shape is stable (a key is never left out; an undefined value is null):
/// ```
/// {
///   "comparedTo": "2007Q2" | null,
///   "coordination": {
///     "awaitingResponse": F + "items": [{"caseId", "days", "firstNotifiedAt", "organizationId",
///                                         "organizationLocalName", "organizationName", "tlp"}],
///     "medianDaysToFirstResponse": F, "p90DaysToFirstResponse": F,
///     "opened": {"all": P, "byOrigin": {"cert-cc": P, "cpni": P, "jvn-jp": P, …}},
///     "organizationsNotified": F, "participantsNotified": F, "participantsResponded": F,
///     "published": {"all": P, "byOrigin": {…}}, "responseRate": F, "withdrawn": F + "items": ["case id", …] },
///   "directory": {
///     "apcertMembers": F, "bouncedAddresses": F + "items": [{"email", "organizationId"}],
///     "keyProblems": F + "items": [{"email", "expiresAt", "fingerprint", "organizationId", "problem"}],
///     "keyProblemsByKind": {"expired": F, "expiring": F, "missing": F, "revoked": F},
///     "mouSigned": F + "items": [{"kind", "organizationId", "organizationLocalName", "organizationName", "signed"}],
///     "nationalCSIRTPartners": F, "newDevelopers": F, "otherAgreementsSigned": F + "items": […],
///     "registeredDevelopers": F },
///   "generatedAt": "2007-10-26T00:00:00Z",
///   "integrity": {
///     "eventLog": {"eventCount": 1234 | null, "latestSeal": "…" | null, "verified": true | false | null},
///     "recount": {"agrees": true, "definition": "…", "differences": ["…"], "figures": EventRecount} },
///   "notifications": {
///     "byPurpose": {"case-notification": F, "incident": F, "publication": F, "reminder": F, …},
///     "byRecipientCountry": {"JP": F, …}, "byRecipientKind": {"national-csirt": F, …},
///     "delivery": {"bounced": F, "deferredAtQuarterEnd": F, "failed": F, "ourDeliveryProblems": F, "sent": F, "voided": F},
///     "incidentsByCategory": {"forged": F, "intrusion": F, "other": F, "phishing": F, "scan": F, …},
///     "sent": F },
///   "period": {"complete": true | false, "countedTo": "…Z", "end": "…Z", "firstDay": "2007-07-01", "lastDay": "2007-09-30",
///              "start": "…Z", "timeZone": "Asia/Tokyo"},
///   "quarter": "2007Q3",
///   "series": {
///     "notificationsSent": {"definition", "values": [8 numbers]},
///     "publishedByOrigin": {"definition", "values": {"jvn-jp": [8 numbers], …}},
///     "quarters": ["2005Q4", …, "2007Q3"],
///     "registeredDevelopers": {"definition", "values": [8 numbers]} }
/// }
/// ```
/// F is a ``Figure``: `{"compare"?: {"change", "changePercent", "quarter", "value"}, "definition": "…", "value": n}`,
/// where `compare` is present exactly when the report was compared; counts are integers, shares fractions (0.5714)
/// and days numbers, null when nothing was measured. P is a ``PeriodAndTotal``: `{"cumulative": F, "inQuarter": F}`.
/// Lists hold at most ``listLimit`` items; their figure's value counts them all.
public struct QuarterReport: Sendable, Hashable, Encodable {
    /// How many items a listed figure keeps (the longest waiting, the first signed…); its value counts all.
    public static let listLimit = 50
    /// How many quarters the chart series cover, ending with the report's quarter.
    public static let seriesLength = 8

    public var quarter: Quarter
    public var period: Period
    public var generatedAt: Date
    /// null rather than absent when the report was not compared, so the key is stable.
    @NullWhenAbsent public var comparedTo: Quarter?
    public var notifications: NotificationFigures
    public var coordination: CoordinationFigures
    public var directory: DirectoryFigures
    public var series: ReportSeries
    public var integrity: ReportIntegrity

    /// The quarter's instants and calendar days in the report's time zone.
    public struct Period: Sendable, Hashable, Encodable {
        /// IANA identifier of the time zone the quarter boundaries were computed in.
        public var timeZone: String
        /// First instant of the quarter.
        public var start: Date
        /// First instant after the quarter.
        public var end: Date
        /// `YYYY-MM-DD`.
        public var firstDay: String
        /// `YYYY-MM-DD`.
        public var lastDay: String
        /// False while the quarter has not ended when the report was made: its figures are partial.
        public var complete: Bool = true
        /// The instant the figures are counted up to: the quarter's end, or the report's time if earlier
        /// (days waiting are counted to it).
        public var countedTo: Date
    }
}

/// §1: messages sent to organisations.
public struct NotificationFigures: Sendable, Hashable, Encodable {
    public var sent: Figure
    /// Keys: `case-notification`, `reminder`, `publication`, `incident`, then any other purpose recorded.
    public var byPurpose: [String: Figure]
    /// Keys: organisation kinds (`national-csirt`, `coordinator`, `product-developer`, `csirt`, `government`, `other`…).
    public var byRecipientKind: [String: Figure]
    /// Keys: ISO 3166-1 alpha-2 country codes with at least one message.
    public var byRecipientCountry: [String: Figure]
    /// Keys: `scan`, `forged`, `intrusion`, `phishing`, `other`, then any other category recorded (`none` when unset).
    public var incidentsByCategory: [String: Figure]
    public var delivery: Delivery

    /// What became of the messages.
    public struct Delivery: Sendable, Hashable, Encodable {
        public var sent: Figure
        public var deferredAtQuarterEnd: Figure
        public var failed: Figure
        public var bounced: Figure
        /// Messages voided by a person (a failure of ours, or their case withdrawn): neither sent nor failed.
        public var voided: Figure
        /// Delivery reports that blame our message or domain: problems of ours, not counted in `bounced`.
        public var ourDeliveryProblems: Figure
    }
}

/// §3: vulnerability cases and the organisations taking part in them.
public struct CoordinationFigures: Sendable, Hashable, Encodable {
    public var opened: ByOrigin
    public var published: ByOrigin
    public var organizationsNotified: Figure
    public var participantsNotified: Figure
    public var participantsResponded: Figure
    public var responseRate: Figure
    public var medianDaysToFirstResponse: Figure
    public var p90DaysToFirstResponse: Figure
    public var awaitingResponse: ListedFigure<AwaitingParticipant>
    /// Cases opened by mistake and withdrawn: left out of every other case and participant figure; items are case ids.
    public var withdrawn: ListedFigure<String>

    /// Counts over all origins and by origin (`jvn-jp`, `cert-cc`, `cpni`, then any other recorded).
    public struct ByOrigin: Sendable, Hashable, Encodable {
        public var all: PeriodAndTotal
        public var byOrigin: [String: PeriodAndTotal]
    }
}

/// A participant notified but without a response at the quarter's end.
public struct AwaitingParticipant: Sendable, Hashable, Encodable {
    public var caseId: String
    public var organizationId: String
    public var organizationName: String
    /// The name in the organisation's own language, when recorded; Japanese reports show it.
    @NullWhenAbsent public var organizationLocalName: String?
    public var firstNotifiedAt: Date
    /// Days from the first notification to the quarter's end, two decimals.
    public var days: Double
    /// The case's TLP 2.0 label in its original form, never translated: `TLP:AMBER+STRICT` (a case opened before
    /// levels were kept shows the workspace's `cases.tlp`).
    public var tlp: String
}

/// The directory at the quarter's end.
public struct DirectoryFigures: Sendable, Hashable, Encodable {
    public var registeredDevelopers: Figure
    public var newDevelopers: Figure
    public var apcertMembers: Figure
    public var nationalCSIRTPartners: Figure
    public var mouSigned: ListedFigure<SignedAgreement>
    public var otherAgreementsSigned: ListedFigure<SignedAgreement>
    public var keyProblems: ListedFigure<KeyProblem>
    /// Keys: `missing`, `expired`, `expiring`, `revoked`.
    public var keyProblemsByKind: [String: Figure]
    public var bouncedAddresses: ListedFigure<BouncedAddress>
}

/// An agreement signed in the quarter.
public struct SignedAgreement: Sendable, Hashable, Encodable {
    public var organizationId: String
    public var organizationName: String
    /// The name in the organisation's own language, when recorded; Japanese reports show it.
    @NullWhenAbsent public var organizationLocalName: String?
    public var kind: String
    /// `YYYY-MM-DD`.
    public var signed: String
}

/// A contact whose OpenPGP key cannot be relied on at the quarter's end.
public struct KeyProblem: Sendable, Hashable, Encodable {
    public var email: String
    public var organizationId: String
    public var fingerprint: String
    /// `missing`, `expired`, `expiring` or `revoked`.
    public var problem: String
    @NullWhenAbsent public var expiresAt: Date?
}

/// An address that bounced in the quarter.
public struct BouncedAddress: Sendable, Hashable, Encodable {
    public var email: String
    @NullWhenAbsent public var organizationId: String?
}

/// The numbers behind the charts, one per quarter, oldest first.
public struct ReportSeries: Sendable, Hashable, Encodable {
    public var quarters: [Quarter]
    public var notificationsSent: Line
    public var publishedByOrigin: OriginLines
    public var registeredDevelopers: Line

    /// One number per quarter.
    public struct Line: Sendable, Hashable, Encodable {
        public var definition: String
        public var values: [Int]
    }

    /// One line per origin.
    public struct OriginLines: Sendable, Hashable, Encodable {
        public var definition: String
        public var values: [String: [Int]]
    }
}

/// Whether the figures can be trusted: the event log's verification and the recount from it.
public struct ReportIntegrity: Sendable, Hashable, Encodable {
    public var eventLog: EventLogState
    public var recount: RecountCheck

    /// What `liaison audit verify` found, if it was run.
    public struct EventLogState: Sendable, Hashable, Encodable {
        /// true: intact; false: broken; nil: not verified.
        @NullWhenAbsent public var verified: Bool?
        @NullWhenAbsent public var eventCount: Int?
        /// The latest audit seal (`liaison audit seal`) as one line; nil when the workspace has none.
        @NullWhenAbsent public var latestSeal: String? = nil
    }

    /// The figures recounted from the event log and how they compare with the tables.
    public struct RecountCheck: Sendable, Hashable, Encodable {
        public var definition: String
        public var figures: EventRecount
        public var agrees: Bool
        /// One line per figure that differs: `notifications.byPurpose.reminder: tables 1, event log 2`.
        public var differences: [String]
    }
}
