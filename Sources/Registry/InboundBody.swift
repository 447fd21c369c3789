import Foundation
import GRDB
import GRDBSQLite

/// The bytes of a received message too large to hold in memory: they stay in a file until they are stored, and
/// are then copied into the registry a window at a time (`InboundTransaction.insert`, `BlobStreaming.store`).
public struct StreamedBytes: Sendable, Equatable {
    /// The file holding the message exactly as received.
    public let file: URL
    /// Its size in bytes, as read while its digest was computed; the file must still have exactly this many.
    public let count: Int

    public init(file: URL, count: Int) { self.file = file; self.count = count }
}

/// Migration `v12-inbound-body`: the bytes of a large received message, in a table of their own.
///
/// `inboundMessage.bytes` sits in the middle of its row, so SQLite builds the whole row, blob included, in memory
/// (twice) to write it. Here the blob is the row's last column: SQLite writes `zeroblob(N)` there without
/// allocating it, and the bytes are then written into it in windows (`sqlite3_blob_write`). A message stored here
/// keeps an empty `inboundMessage.bytes`; `InboundTransaction.bytes(id:)` reads either place.
enum InboundBodySchema {
    static let migrationName = "v12-inbound-body"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE inboundMessageBody (
                messageRowId INTEGER PRIMARY KEY REFERENCES inboundMessage(id),
                bytes BLOB NOT NULL
            )
            """)
    }
}

/// Copies a file into a blob a window at a time through SQLite's incremental blob I/O, so that memory holds one
/// window, never the whole message.
enum BlobStreaming {
    /// How much of the file is held at once while it is copied.
    static let window = 1 << 20

    /// Stores the bytes of `source` as the `inboundMessageBody` row of the message `rowId`. The engines differ here,
    /// and only here: SQLite writes `zeroblob(N)` without allocating it and fills it a window at a time; PostgreSQL
    /// has no incremental blob I/O, and takes the file as one `bytea` value.
    static func store(_ source: StreamedBytes, rowId: Int64, in session: any SQLSession) throws {
        switch session.kind {
        case .sqlite:
            try session.execute("INSERT INTO inboundMessageBody (messageRowId, bytes) VALUES (?, zeroblob(?))", rowId, source.count)
            try write(source, rowId: rowId, in: session.grdbDatabase())
        case .postgresql:
            guard let data = try? Data(contentsOf: source.file) else {
                throw StoreError.invalidArgument("the message could not be read back from \(source.file.path)")
            }
            guard data.count == source.count else {
                throw StoreError.invalidArgument("\(source.file.path) changed while it was stored")
            }
            try session.execute("INSERT INTO inboundMessageBody (messageRowId, bytes) VALUES (?, ?)", rowId, data)
        }
    }

    /// The first `limit` bytes of the `inboundMessageBody` row of the message `rowId`, without reading the rest:
    /// SQLite's incremental blob I/O, or PostgreSQL's `substr` of the `bytea`.
    static func head(rowId: Int64, upTo limit: Int, in session: any SQLSession) throws -> Data {
        switch session.kind {
        case .sqlite:
            return try read(rowId: rowId, upTo: limit, in: session.grdbDatabase())
        case .postgresql:
            return try session.value("SELECT substr(bytes, 1, CAST(? AS INTEGER)) FROM inboundMessageBody WHERE messageRowId = ?", limit, rowId,
                                     as: Data.self) ?? Data()
        }
    }

    /// Writes `source` into the row `rowId` of `inboundMessageBody`, whose blob was made `zeroblob(source.count)`.
    static func write(_ source: StreamedBytes, rowId: Int64, in db: Database) throws {
        guard let handle = try? FileHandle(forReadingFrom: source.file) else {
            throw StoreError.invalidArgument("the message could not be read back from \(source.file.path)")
        }
        defer { try? handle.close() }
        let blob = try openBlob(rowId: rowId, writable: true, in: db)
        defer { sqlite3_blob_close(blob) }
        var offset = 0
        while offset < source.count {
            let chunk = try autoreleasepool { () throws -> Int in
                guard let data = try handle.read(upToCount: min(window, source.count - offset)), !data.isEmpty else { return 0 }
                let written = data.withUnsafeBytes { raw in
                    sqlite3_blob_write(blob, raw.baseAddress, Int32(data.count), Int32(offset))
                }
                guard written == SQLITE_OK else {
                    throw failure(written, "sqlite3_blob_write", in: db)
                }
                return data.count
            }
            if chunk == 0 { break }
            offset += chunk
        }
        // A file that shrank or grew since its digest was taken is not the message that was read.
        if offset != source.count || ((try? handle.read(upToCount: 1)) ?? nil).map({ !$0.isEmpty }) == true {
            throw StoreError.invalidArgument("\(source.file.path) changed while it was stored")
        }
    }
}

extension BlobStreaming {
    /// Opens the blob of row `rowId` of `inboundMessageBody`; throws `DatabaseError` when SQLite cannot.
    static func openBlob(rowId: Int64, writable: Bool, in db: Database) throws -> OpaquePointer {
        var blob: OpaquePointer?
        let opened = sqlite3_blob_open(db.sqliteConnection, "main", "inboundMessageBody", "bytes", rowId, writable ? 1 : 0, &blob)
        guard opened == SQLITE_OK, let blob else { throw failure(opened, "sqlite3_blob_open", in: db) }
        return blob
    }

    /// The `DatabaseError` for SQLite's result `code` of `call`, with the connection's message.
    static func failure(_ code: Int32, _ call: String, in db: Database) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: "\(call): " + String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }

    /// The first `limit` bytes of the blob in row `rowId` of `inboundMessageBody`.
    static func read(rowId: Int64, upTo limit: Int, in db: Database) throws -> Data {
        let blob = try openBlob(rowId: rowId, writable: false, in: db)
        defer { sqlite3_blob_close(blob) }
        let count = min(Int(sqlite3_blob_bytes(blob)), limit)
        var data = Data(count: count)
        let read = data.withUnsafeMutableBytes { raw in sqlite3_blob_read(blob, raw.baseAddress, Int32(count), 0) }
        guard read == SQLITE_OK else {
            throw failure(read, "sqlite3_blob_read", in: db)
        }
        return data
    }
}

#if !canImport(ObjectiveC)
/// Linux has no autorelease pool; the body simply runs.
@inline(__always) private func autoreleasepool<T>(invoking body: () throws -> T) rethrows -> T { try body() }
#endif
