import Foundation

/// Where a vulnerability case came from; shown in reports as VN-JP, VN-CERT/CC, VN-CPNI.
public struct CaseOrigin: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let jvnJP = CaseOrigin(rawValue: "jvn-jp")
    public static let certCC = CaseOrigin(rawValue: "cert-cc")
    public static let cpni = CaseOrigin(rawValue: "cpni")
    public static let known: [CaseOrigin] = [.jvnJP, .certCC, .cpni]
    /// A partner id: lower-case letters, digits and `-`, starting with a letter or digit.
    public static func isWellFormed(_ text: String) -> Bool {
        text.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil
    }
    public var description: String { rawValue }
}

/// A vulnerability case such as `JVNVU#12345678`.
public struct CaseRecord: Codable, Hashable, Sendable {
    public static let databaseTableName = "case"
    public var id: String
    public var title: String
    public var origin: String
    public var openedAt: Date
    public var publishedAt: Date?
    /// The day the embargo ends (the planned publication), in the workspace's calendar; stored as `YYYY-MM-DD`.
    public var due: CalendarDate?
    /// The case's TLP level; nil for cases opened before levels were kept (shown as the workspace default).
    public var tlp: TrafficLightProtocol?
    /// The Japanese title, for messages in Japanese; `title` serves every other language (nil: `title` for all).
    public var titleJa: String?
    /// The published advisory's address (`case publish --url`), for the publication template.
    public var advisoryURL: String?
    /// When the case was withdrawn (opened by mistake); it is then left out of the report's counts.
    public var withdrawnAt: Date?
    public var withdrawnReason: String?

    public init(id: String, title: String, origin: String, openedAt: Date, publishedAt: Date? = nil, due: CalendarDate? = nil,
                tlp: TrafficLightProtocol? = nil, titleJa: String? = nil) {
        self.id = id; self.title = title; self.origin = origin
        self.openedAt = openedAt; self.publishedAt = publishedAt; self.due = due; self.tlp = tlp; self.titleJa = titleJa
    }

    /// The title for a message in `language` (BCP 47): the Japanese one for `ja…` when there is one.
    public func title(in language: String) -> String {
        language.lowercased().hasPrefix("ja") ? (titleJa ?? title) : title
    }
}

/// Whether a participant has been reached.
public enum Delivery: String, Codable, Sendable, CaseIterable {
    case pending, notified, undeliverable
}

/// What a participant has told us about the case.
public enum Response: String, Codable, Sendable, CaseIterable {
    case none, acknowledged, investigating, affected
    case notAffected = "not-affected"
    case fixed
}

/// An organisation taking part in a case.
public struct ParticipantRecord: Codable, Hashable, Sendable {
    public static let databaseTableName = "participant"
    public var caseId: String
    public var organizationId: String
    public var addedAt: Date
    public var delivery: Delivery
    public var firstNotifiedAt: Date?
    public var response: Response
    public var firstResponseAt: Date?
    public var respondedAt: Date?
    public var statement: String?
    public var lastRemindedAt: Date?
    /// Reminders sent by the policy (or `remind`) while no response came.
    public var reminderCount: Int = 0
    /// When the escalation went to every contact (and the coordinator).
    public var escalatedAt: Date?
    /// When the policy gave up on reaching the organisation; a later response clears it.
    public var unreachableAt: Date?

    public init(caseId: String, organizationId: String, addedAt: Date) {
        self.caseId = caseId; self.organizationId = organizationId; self.addedAt = addedAt
        self.delivery = .pending; self.response = .none
    }
}

extension ParticipantRecord {
    /// A participant from a row whose first columns are `CaseStore.participantColumns`, read by position (no
    /// column name is looked up). Throws when a stored delivery or response is not one Liaison knows.
    init(participantRow row: SQLRow) throws {
        caseId = try row[0]
        organizationId = try row[1]
        addedAt = try row[2]
        let deliveryText: String = try row[3], responseText: String = try row[5]
        guard let delivery = Delivery(rawValue: deliveryText), let response = Response(rawValue: responseText) else {
            throw StoreError.invalidArgument("participant \(organizationId) of \(caseId): stored delivery \(deliveryText) or response \(responseText) is not one Liaison knows")
        }
        self.delivery = delivery
        firstNotifiedAt = try row[4]
        self.response = response
        firstResponseAt = try row[6]
        respondedAt = try row[7]
        statement = try row[8]
        lastRemindedAt = try row[9]
        reminderCount = try row[10]
        escalatedAt = try row[11]
        unreachableAt = try row[12]
    }
}

/// Why a notification was sent.
public enum NotificationPurpose: String, Codable, Sendable, CaseIterable {
    case caseNotification = "case-notification"
    case reminder, publication, incident
    case escalation
    case dueChanged = "due-changed"
}

/// Category of an incident notice (通知連絡).
public enum IncidentCategory: String, Codable, Sendable, CaseIterable {
    case scan, forged, intrusion, phishing, other
}

/// Life of an outbox row.
public enum NotificationState: String, Codable, Sendable, CaseIterable {
    case queued, sending, sent, deferred, failed
    /// Failed, deferred or cancelled through a fault of ours, and voided by a person: neither sent nor failed.
    case voided
}

/// One outbox row: a message to one organisation and its state; its bytes are kept apart (`notificationMessage`).
public struct NotificationRecord: Codable, Hashable, Sendable {
    public static let databaseTableName = "notification"
    public var id: Int64?
    public var caseId: String?
    public var organizationId: String
    public var purpose: NotificationPurpose
    public var incidentCategory: IncidentCategory?
    public var template: String
    public var language: String
    public var messageId: String
    public var trackingRef: String
    public var subject: String
    public var mailFrom: String
    public var signed: Bool
    public var encrypted: Bool
    public var state: NotificationState
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var leaseOwner: String?
    public var leaseUntil: Date?
    public var createdAt: Date
    public var sentAt: Date?
    public var lastError: String?
    /// The TLP label the message carried, when it was about a case.
    public var tlp: TrafficLightProtocol?

    public init(caseId: String?, organizationId: String, purpose: NotificationPurpose, incidentCategory: IncidentCategory? = nil,
                template: String, language: String, messageId: String, trackingRef: String, subject: String,
                mailFrom: String, signed: Bool, encrypted: Bool, createdAt: Date) {
        self.caseId = caseId; self.organizationId = organizationId; self.purpose = purpose
        self.incidentCategory = incidentCategory; self.template = template; self.language = language
        self.messageId = messageId; self.trackingRef = trackingRef; self.subject = subject; self.mailFrom = mailFrom
        self.signed = signed; self.encrypted = encrypted
        self.state = .queued; self.attempts = 0; self.createdAt = createdAt
    }
}

/// How one recipient of a notification fared.
public enum RecipientStatus: String, Codable, Sendable, CaseIterable {
    case pending, delivered, deferred, failed, bounced
}

/// One envelope recipient of a notification.
public struct NotificationRecipientRecord: Codable, Hashable, Sendable {
    public static let databaseTableName = "notificationRecipient"
    public var notificationId: Int64
    public var email: String
    /// Whether it is addressed in To or in Cc.
    public var kind: ContactRole
    public var contactId: Int64?
    public var status: RecipientStatus
    public var smtpCode: Int?
    public var smtpReply: String?
    public var updatedAt: Date?

    public init(notificationId: Int64, email: String, kind: ContactRole, contactId: Int64?) {
        self.notificationId = notificationId; self.email = email; self.kind = kind; self.contactId = contactId
        self.status = .pending
    }
}

/// What an ingested message turned out to be.
public enum InboundKind: String, Codable, Sendable, CaseIterable {
    case reply
    case autoReply = "auto-reply"
    case bounce, unmatched
    /// A delivery report that blames our message or domain (size, SPF/DKIM/DMARC, content, our relay): kept for a
    /// person and counted apart from the vendors' bounces.
    case ourDeliveryProblem = "our-delivery-problem"
}

/// The outcome of checking an ingested message's OpenPGP signature.
public enum InboundSignature: String, Codable, Sendable, CaseIterable {
    case none, verified, bad
    case unknownKey = "unknown-key"
    /// A signature of a kind that could not be checked here (the reason is kept with the message).
    case unsupported
}

/// A reply, automatic reply or delivery report read by `ingest`.
public struct InboundMessageRecord: Codable, Hashable, Sendable {
    public static let databaseTableName = "inboundMessage"
    public var id: Int64?
    public var messageId: String
    public var receivedAt: Date
    public var fromAddress: String?
    public var subject: String?
    public var kind: InboundKind
    public var notificationId: Int64?
    public var caseId: String?
    public var organizationId: String?
    public var signature: InboundSignature
    public var encrypted: Bool
    /// The bytes as received; empty for a large message, whose bytes are in `inboundMessageBody`
    /// (`InboundTransaction.bytes(id:)` reads either place).
    public var bytes: Data

    public init(messageId: String, receivedAt: Date, fromAddress: String?, subject: String?, kind: InboundKind,
                notificationId: Int64?, caseId: String?, organizationId: String?, signature: InboundSignature,
                encrypted: Bool, bytes: Data) {
        self.messageId = messageId; self.receivedAt = receivedAt; self.fromAddress = fromAddress; self.subject = subject
        self.kind = kind; self.notificationId = notificationId; self.caseId = caseId; self.organizationId = organizationId
        self.signature = signature; self.encrypted = encrypted; self.bytes = bytes
    }
}
