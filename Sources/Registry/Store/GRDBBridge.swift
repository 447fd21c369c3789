import GRDB

extension SQLSession {
    /// The GRDB connection under a SQLite session, for the few operations of other stores still written over a
    /// `Database` (the event log's append, a case's response) that the directory, inbound and report stores join in
    /// their transaction. Throws on an engine that has none; each caller goes once its operation takes a session.
    func grdbDatabase() throws -> Database {
        guard let sqlite = self as? SQLiteSession else {
            throw StoreError.invalidArgument("this operation is not yet available on \(kind.rawValue)")
        }
        return sqlite.db
    }
}
