import Foundation

/// A row of `event`, as read back (append with `EventLog.append`, never by inserting directly).
public struct Event: Sendable, Equatable, Codable {
    public static let databaseTableName = "event"

    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var objectType: String
    public var objectId: String
    /// Canonical JSON.
    public var data: String
    public var prevHash: String
    public var hash: String

    /// `data` decoded.
    public var value: EventValue {
        (try? JSONDecoder().decode(EventValue.self, from: Data(data.utf8))) ?? .null
    }
}
