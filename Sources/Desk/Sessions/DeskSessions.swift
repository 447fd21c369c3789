import Crypto
import Foundation
import Synchronization

/// The desk's sessions, held in memory: a restart of `liaison serve` logs everyone out (they log in again; nothing
/// else is lost, since every change is already in the store). A session ends after `idleLimit` without a request,
/// `absoluteLimit` after login, at logout, or when its user is disabled.
public final class DeskSessions: Sendable {
    /// One logged-in browser.
    public struct Session: Sendable {
        public let id: String
        public let userName: String
        /// The CSRF token of every form and fetch of this session (32 random bytes, base64url).
        public let csrfToken: String
        public let createdAt: Date
        public var lastSeen: Date
        /// A one-line notice for the next page (the outcome of an action), shown once.
        public var notice: DeskNotice?
    }

    /// 8 hours without a request.
    public static let idleLimit: TimeInterval = 8 * 3600
    /// 24 hours after login.
    public static let absoluteLimit: TimeInterval = 24 * 3600

    private let sessions = Mutex<[String: Session]>([:])

    public init() {}

    /// Starts a session for `userName`; returns it (its id is the cookie's value).
    public func start(userName: String, now: Date = Date()) -> Session {
        let session = Session(id: Self.randomToken(), userName: userName, csrfToken: Self.randomToken(),
                              createdAt: now, lastSeen: now, notice: nil)
        sessions.withLock { all in
            all = all.filter { !Self.expired($0.value, now: now) }
            all[session.id] = session
        }
        return session
    }

    /// The live session with `id`, its last use moved to `now`; nil when unknown or expired (an expired one is dropped).
    public func touch(_ id: String, now: Date = Date()) -> Session? {
        sessions.withLock { all in
            guard var session = all[id] else { return nil }
            if Self.expired(session, now: now) { all[id] = nil; return nil }
            session.lastSeen = now
            all[id] = session
            return session
        }
    }

    /// Ends a session.
    public func end(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// Ends every session of `userName` (a disabled user).
    public func end(userName: String) {
        sessions.withLock { all in all = all.filter { $0.value.userName.lowercased() != userName.lowercased() } }
    }

    /// Keeps a notice for the session's next page.
    public func setNotice(_ notice: DeskNotice, for id: String) {
        sessions.withLock { $0[id]?.notice = notice }
    }

    /// The session's notice, removed: it is shown once.
    public func takeNotice(for id: String) -> DeskNotice? {
        sessions.withLock { all in
            let notice = all[id]?.notice
            all[id]?.notice = nil
            return notice
        }
    }

    static func expired(_ session: Session, now: Date) -> Bool {
        now.timeIntervalSince(session.lastSeen) > idleLimit || now.timeIntervalSince(session.createdAt) > absoluteLimit
    }

    /// 32 random bytes, base64url without padding (43 characters).
    public static func randomToken() -> String {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Compares two secrets in time independent of where they differ.
    public static func sameSecret(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// A one-line outcome shown at the top of the next page: what was done, or why it was refused.
public struct DeskNotice: Sendable, Codable, Equatable {
    public let text: String
    public let isError: Bool
    public init(_ text: String, isError: Bool = false) { self.text = text; self.isError = isError }
}
