import Crypto
import Foundation
import Gateway
import Registry
import Synchronization

/// What the vendors' answer form and API share over one workspace: its answer links, the recorder, the form's
/// CSRF key, the rate limits and the VEX documents waiting for confirmation.
final class AnswerDesk: Sendable {
    let links: AnswerLinks
    let recorder: AnswerRecorder
    let limiter: AnswerRateLimiter
    let uploads: PendingUploads
    /// Made at start-up: a form's CSRF nonce is an HMAC of its token and time under it.
    private let csrfKey = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }

    /// How long a form's CSRF nonce is accepted.
    static let formLifetime: TimeInterval = 4 * 3600

    init(services: WorkspaceServices) throws {
        links = AnswerLinks(store: services.store, key: try AnswerLinkKey.loadOrCreate(stateDirectory: services.workspace.stateURL),
                            settings: services.configuration.answer)
        recorder = AnswerRecorder(store: services.store)
        let limit = services.configuration.answer.rateLimit
        limiter = AnswerRateLimiter(perToken: limit, perAddress: 4 * limit)
        uploads = PendingUploads()
    }

    /// The CSRF nonce of a form served for `token` at `now`: `<seconds>.<base64url HMAC-SHA256(seconds|token)>`.
    func csrfNonce(token: String, now: Date = Date()) -> String {
        let seconds = String(Int(now.timeIntervalSince1970))
        return seconds + "." + mac(seconds: seconds, token: token)
    }

    /// Whether `nonce` was made for `token` within `formLifetime` (compared in constant time).
    func acceptsCSRF(_ nonce: String?, token: String, now: Date = Date()) -> Bool {
        guard let nonce, let dot = nonce.firstIndex(of: ".") else { return false }
        let seconds = String(nonce[..<dot])
        guard let issued = TimeInterval(seconds), now.timeIntervalSince1970 - issued < Self.formLifetime,
              now.timeIntervalSince1970 - issued > -60 else { return false }
        let expected = Array(mac(seconds: seconds, token: token).utf8), given = Array(nonce[nonce.index(after: dot)...].utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private func mac(seconds: String, token: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(seconds)|\(token)".utf8), using: SymmetricKey(data: csrfKey))
        return Data(code).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Submissions counted per answer link and per client address over a sliding window; over the limit, 429.
/// A request with a refused token counts against its address too, so guessing tokens is slowed as well.
final class AnswerRateLimiter: Sendable {
    /// Submissions per link…
    let perToken: Int
    /// …and per client address…
    let perAddress: Int
    /// …within this window.
    let window: TimeInterval
    private let seen = Mutex<[String: [Date]]>([:])

    init(perToken: Int = 30, perAddress: Int = 120, window: TimeInterval = 600) {
        self.perToken = perToken; self.perAddress = perAddress; self.window = window
    }

    /// Counts one submission; false when the link or the address is over its limit (then nothing is counted).
    func admit(token: String?, address: String, now: Date = Date()) -> Bool {
        seen.withLock { all in
            var keys = [("address:" + address, perAddress)]
            if let token { keys.append(("token:" + token, perToken)) }
            for (key, limit) in keys where (all[key] ?? []).filter({ now.timeIntervalSince($0) < window }).count >= limit {
                return false
            }
            for (key, _) in keys { all[key] = (all[key] ?? []).filter { now.timeIntervalSince($0) < window } + [now] }
            if all.count > 100_000 { all = all.filter { $0.value.contains { now.timeIntervalSince($0) < window } } }
            return true
        }
    }
}

/// VEX documents read from an upload, shown back and waiting for the vendor's confirmation (30 minutes at most).
final class PendingUploads: Sendable {
    struct Pending: Sendable {
        let token: String
        let read: AnswerRecorder.ReadDocument
        let statement: String?
        let contact: String?
        let at: Date
    }
    private let pending = Mutex<[String: Pending]>([:])
    static let lifetime: TimeInterval = 1800

    /// Keeps a read document; returns the random id the confirmation form names it by.
    func keep(_ item: Pending) -> String {
        let id = AnswerToken.newNonce().map { String(format: "%02x", $0) }.joined()
        pending.withLock { all in
            all = all.filter { item.at.timeIntervalSince($0.value.at) < Self.lifetime }
            if all.count >= 10_000, let oldest = all.min(by: { $0.value.at < $1.value.at }) { all[oldest.key] = nil }
            all[id] = item
        }
        return id
    }

    /// Takes the document `id` kept for `token` (once), if it has not aged out.
    func take(_ id: String, token: String, now: Date = Date()) -> Pending? {
        pending.withLock { all in
            guard let item = all[id], item.token == token, now.timeIntervalSince(item.at) < Self.lifetime else { return nil }
            all[id] = nil
            return item
        }
    }
}
