import GRDB

/// Migration `v15-event-chain-append`: on PostgreSQL, the function `liaison_append_events(entries text)` appends
/// events to the chain inside the server, so that a transaction holds the chain's lock only while the server
/// runs it and commits, never across a round trip to the client.
///
/// `entries` is a JSON array of objects with the text fields `at`, `actor`, `action`, `objectType`, `objectId`,
/// `data` (as stored) and `canonical` (`EventLog.canonicalRow` of them, written by the client). Under the chain's
/// advisory lock (`EventLog.chainLockKey`) the function reads the last row and inserts each entry with the next id
/// and `hash = sha256(prevHash || canonical)` in lower-case hex: the rows `EventChain.append` writes, which
/// `audit verify` checks the same way on both engines. It returns the last id.
///
/// SQLite has nothing to do: its single writer already appends one transaction at a time, in the client.
enum EventChainSchema {
    static let migrationName = "v15-event-chain-append"

    /// The PostgreSQL statements of the migration.
    static var postgresStatements: [String] {
        ["""
        CREATE OR REPLACE FUNCTION liaison_append_events(entries text) RETURNS bigint
        LANGUAGE plpgsql VOLATILE AS $body$
        DECLARE
            last_id bigint;
            last_hash text;
            entry jsonb;
            next_hash text;
        BEGIN
            PERFORM pg_advisory_xact_lock(\(EventLog.chainLockKey));
            -- A statement after the lock: READ COMMITTED gives it a snapshot that sees the last committed append.
            SELECT e.id, e.hash INTO last_id, last_hash FROM event e ORDER BY e.id DESC LIMIT 1;
            IF last_id IS NULL THEN
                last_id := 0;
                last_hash := repeat('0', 64);
            END IF;
            FOR entry IN SELECT value FROM jsonb_array_elements(entries::jsonb) LOOP
                next_hash := encode(sha256(convert_to(last_hash || (entry->>'canonical'), 'UTF8')), 'hex');
                last_id := last_id + 1;
                INSERT INTO event (id, "at", actor, "action", objectType, objectId, "data", prevHash, "hash")
                VALUES (last_id, entry->>'at', entry->>'actor', entry->>'action', entry->>'objectType',
                        entry->>'objectId', entry->>'data', last_hash, next_hash);
                last_hash := next_hash;
            END LOOP;
            RETURN last_id;
        END
        $body$
        """]
    }

    static func migrate(_ db: Database) throws {}
}
