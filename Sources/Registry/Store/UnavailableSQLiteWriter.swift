import Foundation
import GRDB

/// The `writer` of a registry on PostgreSQL: operations still written against GRDB (not yet over `SQLSession`)
/// reach it and fail with one line, `RegistryError.database`, instead of touching any database.
///
/// Calls that hand it a closure get the error thrown (or as a `.failure`); the closure is given an empty private
/// in-memory SQLite database at most, opened read-only, where any query of the registry's tables fails too, and
/// that failure is replaced by the same line.
final class UnavailableSQLiteWriter: DatabaseWriter {
    let url: String
    private let empty: DatabaseQueue

    init(url: String) throws {
        self.url = url
        var configuration = Configuration()
        configuration.readonly = true
        empty = try DatabaseQueue(configuration: configuration)
    }

    /// What the error says: the operation is not available on PostgreSQL yet.
    var error: RegistryError {
        .database("This operation is not available on PostgreSQL yet (the registry is at \(url)); it still needs a registry in SQLite, the default store.")
    }

    var configuration: Configuration { empty.configuration }
    var path: String { url }
    func close() throws {}
    func interrupt() {}

    @_disfavoredOverload
    func read<T>(_ value: (Database) throws -> T) throws -> T { throw error }
    func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T { throw error }
    func asyncRead(_ value: @escaping @Sendable (Result<Database, Error>) -> Void) { value(.failure(error)) }
    @_disfavoredOverload
    func unsafeRead<T>(_ value: (Database) throws -> T) throws -> T { throw error }
    func unsafeRead<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T { throw error }
    func asyncUnsafeRead(_ value: @escaping @Sendable (Result<Database, Error>) -> Void) { value(.failure(error)) }
    func unsafeReentrantRead<T>(_ value: (Database) throws -> T) throws -> T { throw error }

    func _add<Reducer: ValueReducer>(observation: ValueObservation<Reducer>,
                                     scheduling scheduler: some ValueObservationScheduler,
                                     onChange: @escaping @Sendable (Reducer.Value) -> Void) -> AnyDatabaseCancellable {
        empty._add(observation: observation, scheduling: scheduler, onChange: onChange)
    }

    // `rethrows`: the closure runs on the empty database, where it fails; that failure becomes `error`.
    @_disfavoredOverload
    func writeWithoutTransaction<T>(_ updates: (Database) throws -> T) rethrows -> T {
        do { return try empty.writeWithoutTransaction(updates) } catch { throw self.error }
    }

    func writeWithoutTransaction<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T { throw error }
    @_disfavoredOverload
    func barrierWriteWithoutTransaction<T>(_ updates: (Database) throws -> T) throws -> T { throw error }
    func barrierWriteWithoutTransaction<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T { throw error }
    func asyncBarrierWriteWithoutTransaction(_ updates: @escaping @Sendable (Result<Database, Error>) -> Void) {
        updates(.failure(error))
    }
    func asyncWriteWithoutTransaction(_ updates: @escaping @Sendable (Database) -> Void) {}

    func unsafeReentrantWrite<T>(_ updates: (Database) throws -> T) rethrows -> T {
        do { return try empty.unsafeReentrantWrite(updates) } catch { throw self.error }
    }

    func spawnConcurrentRead(_ value: @escaping @Sendable (Result<Database, Error>) -> Void) { value(.failure(error)) }
}
