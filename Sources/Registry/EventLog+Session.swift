import Foundation

extension EventLog {
    /// Appends one event through the engine-neutral session, inside the transaction that makes the change (the
    /// engine serializes writers, so the chain is extended in one order). Same rows and hashes as `append(_:…)`
    /// over a GRDB connection.
    ///
    /// - Throws: `StoreError.invalidArgument` when an id breaks `idProblem` (nothing is written).
    static func append(_ session: any SQLSession, actor: String = defaultActor, action: String, objectType: String,
                       objectId: String, data: [String: EventValue] = [:], at date: Date = Date()) throws {
        try refuseControlIds(objectType: objectType, objectId: objectId, data: data)
        let lastHash = try session.value("SELECT hash FROM event ORDER BY id DESC LIMIT 1", as: String.self) ?? genesisHash
        let at = timestamp(date)
        let (actor, action, objectType, objectId) = (storedText(actor), storedText(action), storedText(objectType),
                                                     storedText(objectId))
        let dataText = EventValue.object(data).canonicalJSON
        let canonical = canonicalRow(at: at, actor: actor, action: action, objectType: objectType, objectId: objectId,
                                     data: dataText)
        try session.execute("""
            INSERT INTO event (at, actor, action, objectType, objectId, data, prevHash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, at, actor, action, objectType, objectId, dataText, lastHash, hashOf(prevHash: lastHash, canonical: canonical))
    }
}
