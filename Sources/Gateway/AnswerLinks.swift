import Crypto
import Foundation
import Registry

/// A valid answer link, as the form and the API may use it: which participant it stands for and what the
/// notification told it of the case.
public struct AnswerAccess: Sendable, Hashable {
    public let caseId: String
    public let organizationId: String
    /// The token as given (it keys the form's CSRF nonce and the rate limit).
    public let token: String
    public let facts: AnswerLinkCase
    /// When the link stops working, as things stand now.
    public let validUntil: Date
}

/// The vendors' answer links: issued for each case message (when `answer.base_url` is set), printed again,
/// revoked, and checked when a vendor opens one.
///
/// A link is valid while all of these hold: its MAC verifies (`AnswerToken`); it was issued here and not revoked;
/// the bound written into it has not passed; its case is not withdrawn; and, once the case is published, for
/// `answer.grace_days` after publication. The bound written in a new token is the end of that grace when the
/// case is already published, else `answer.open_days` (365 by default) after issue: a case left open longer gets a
/// new link with its next message. Any failure is the same refusal (`nil`), never saying which.
///
/// ```swift
/// let links = AnswerLinks(store: store, key: key, settings: configuration.answer)
/// print(try links.currentOrIssue(caseId: "JVNVU#12345678", organizationId: "kagayaki", actor: "alice").url ?? "-")
/// ```
public struct AnswerLinks: Sendable {
    public let store: RegistryStore
    /// The key's bytes (`SymmetricKey` is not `Sendable`; its bytes are).
    let keyBytes: Data
    public let settings: WorkspaceConfiguration.Answer
    public var now: @Sendable () -> Date = { Date() }

    /// The HMAC-SHA256 key tokens are authenticated with.
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(store: RegistryStore, key: SymmetricKey, settings: WorkspaceConfiguration.Answer) {
        self.store = store; self.keyBytes = key.withUnsafeBytes { Data($0) }; self.settings = settings
    }

    /// A link to put in a message or print: the token, and its URL when `answer.base_url` is set.
    public struct Link: Sendable, Hashable {
        public let token: String
        public let url: String?
        public let expiresAt: Date
        /// The link was made by this call (not yet given to anyone).
        public let issued: Bool
    }

    /// `<base_url>/answer/<token>`, or nil when `answer.base_url` is not set.
    public func url(of token: String) -> String? {
        settings.baseURL.map { "\($0)/answer/\(token)" }
    }

    func token(of record: AnswerLinkRecord) -> String {
        AnswerToken(caseId: record.caseId, organizationId: record.organizationId, nonce: Self.data(hex: record.nonce),
                    expiresAt: record.expiresAt).encoded(key: key)
    }

    /// The end of the grace after publication, when the case is published.
    func graceEnd(_ facts: AnswerLinkCase) -> Date? {
        facts.publishedAt.map { $0.addingTimeInterval(TimeInterval(settings.graceDays) * 86_400) }
    }

    /// The participant's current link (unrevoked, its bound not passed), or a new one; nil when the case can take
    /// no answer any more (withdrawn, or its grace after publication over). A new link is recorded with an event.
    /// Throws `GatewayError` for an unknown case or a non-participant.
    public func currentOrIssue(caseId: String, organizationId: String, actor: String) throws -> Link? {
        guard let link = try next(caseId: caseId, organizationId: organizationId) else { return nil }
        if let pending = link.pending { try record(pending, actor: actor) }
        return link.link
    }

    /// What `currentOrIssue` would give, without recording a new link yet (`record` does, once the message
    /// carrying it is queued).
    func next(caseId: String, organizationId: String) throws -> (link: Link, pending: AnswerToken?)? {
        let links = store.answerLinks
        let now = now()
        guard let facts = try links.caseFacts(caseId: caseId, organizationId: organizationId) else {
            _ = try GatewayError.mapping { try store.cases.existing(caseId) }
            throw GatewayError.from(StoreError.notParticipant(caseId: caseId, organizationId: organizationId,
                                                              participants: (try? store.cases.participantIds(caseId: caseId)) ?? []))
        }
        if facts.withdrawn { return nil }
        let graceEnd = graceEnd(facts)
        if let graceEnd, graceEnd <= now { return nil }
        if let record = try links.current(caseId: caseId, organizationId: organizationId, now: now) {
            let token = token(of: record)
            return (Link(token: token, url: url(of: token), expiresAt: min(record.expiresAt, graceEnd ?? .distantFuture), issued: false), nil)
        }
        let bound = graceEnd ?? now.addingTimeInterval(TimeInterval(settings.openDays) * 86_400)
        let token = AnswerToken(caseId: caseId, organizationId: organizationId, nonce: AnswerToken.newNonce(), expiresAt: bound)
        let text = token.encoded(key: key)
        return (Link(token: text, url: url(of: text), expiresAt: token.expiresAt, issued: true), token)
    }

    /// Records a link made by `next`.
    func record(_ token: AnswerToken, actor: String) throws {
        try GatewayError.mapping {
            try store.answerLinks.issue(caseId: token.caseId, organizationId: token.organizationId, nonce: token.nonceHex,
                                             expiresAt: token.expiresAt, at: now(), actor: actor)
        }
    }

    /// Revokes the participant's links; returns how many were valid. The next message issues a new one.
    @discardableResult
    public func revoke(caseId: String, organizationId: String, actor: String) throws -> Int {
        try GatewayError.mapping { try store.answerLinks.revoke(caseId: caseId, organizationId: organizationId, at: now(), actor: actor) }
    }

    /// The access a token gives, or nil — tampered, unknown, expired, revoked, withdrawn or past its grace alike.
    public func access(_ text: String) -> AnswerAccess? {
        guard let token = AnswerToken.decode(text, key: key) else { return nil }
        let now = now()
        guard now < token.expiresAt,
              let record = try? store.answerLinks.link(nonce: token.nonceHex),
              record.revokedAt == nil, record.caseId == token.caseId, record.organizationId == token.organizationId,
              let facts = try? store.answerLinks.caseFacts(caseId: token.caseId, organizationId: token.organizationId),
              !facts.withdrawn else { return nil }
        let graceEnd = graceEnd(facts)
        if let graceEnd, graceEnd <= now { return nil }
        return AnswerAccess(caseId: token.caseId, organizationId: token.organizationId, token: text, facts: facts,
                            validUntil: min(token.expiresAt, graceEnd ?? .distantFuture))
    }

    static func data(hex: String) -> Data {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return Data(bytes)
    }
}
