import Foundation
import Synchronization

/// Failed logins, counted per user name and per client address: after `limit` failures for a name, or
/// `addressLimit` from an address, within `window`, further attempts for that name or from that address are refused
/// without checking the password until the oldest failure ages out. The address bound is higher, so that one
/// address (a guesser, or a proxy every user shares) cannot lock the whole team out after a handful of tries.
public final class LoginThrottle: Sendable {
    /// 5 failures for one user name…
    public let limit: Int
    /// …or 30 from one client address…
    public let addressLimit: Int
    /// …within 15 minutes.
    public let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    public init(limit: Int = 5, addressLimit: Int = 30, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.addressLimit = addressLimit
        self.window = window
    }

    /// Whether a login for `userName` from `address` may be tried now.
    public func allows(userName: String, address: String, now: Date = Date()) -> Bool {
        failures.withLock { all in
            [(Self.key(user: userName), limit), (Self.key(address: address), addressLimit)].allSatisfy { key, bound in
                (all[key] ?? []).filter { now.timeIntervalSince($0) < window }.count < bound
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
