import Foundation
import Synchronization

/// Failed logins, counted per user name and per client address: after `limit` failures within `window`, further
/// attempts from that name or address are refused without checking the password until the oldest failure ages out.
public final class LoginThrottle: Sendable {
    /// 5 failures…
    public let limit: Int
    /// …within 15 minutes.
    public let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    public init(limit: Int = 5, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    /// Whether a login for `userName` from `address` may be tried now.
    public func allows(userName: String, address: String, now: Date = Date()) -> Bool {
        failures.withLock { all in
            [Self.key(user: userName), Self.key(address: address)].allSatisfy { key in
                (all[key] ?? []).filter { now.timeIntervalSince($0) < window }.count < limit
            }
        }
    }

    /// Counts one failed login.
    public func recordFailure(userName: String, address: String, now: Date = Date()) {
        failures.withLock { all in
            for key in [Self.key(user: userName), Self.key(address: address)] {
                all[key] = (all[key] ?? []).filter { now.timeIntervalSince($0) < window } + [now]
            }
            if all.count > 100_000 { all = all.filter { $0.value.contains { now.timeIntervalSince($0) < window } } }
        }
    }

    private static func key(user: String) -> String { "user:" + user.lowercased() }
    private static func key(address: String) -> String { "address:" + address }
}
