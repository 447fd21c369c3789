import GRDB

/// Migration `v6-inbound-classification`: what each received message is, what was done with it, and whether a
/// person must look at it.
///
/// - `classification`: `delivery-report` | `automatic-reply` | `reply` | `unrelated` (the message alone decides);
/// - `disposition`: what ingest did (`reply`, `auto-reply`, `bounce`, `unmatched`, `review`);
/// - `reviewState`: NULL when nobody needs to look, else `open`, `assigned` or `dismissed`, with `reviewReason`;
/// - `appliedResponse`: the response this message set on its participant, when it set one (so `case show` can say
///   whether the current response came from a verified reply);
/// - `sha256`: digest of the bytes, so a different message reusing a Message-ID is kept, not taken for a duplicate;
/// - `undecodable`: a text part could not be decoded in its charset (its bytes are kept as received).
enum InboundSchema {
    static let migrationName = "v6-inbound-classification"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE inboundMessage ADD COLUMN classification TEXT;
            ALTER TABLE inboundMessage ADD COLUMN disposition TEXT;
            ALTER TABLE inboundMessage ADD COLUMN reviewState TEXT;
            ALTER TABLE inboundMessage ADD COLUMN reviewReason TEXT;
            ALTER TABLE inboundMessage ADD COLUMN appliedResponse TEXT;
            ALTER TABLE inboundMessage ADD COLUMN sha256 TEXT;
            ALTER TABLE inboundMessage ADD COLUMN undecodable BOOLEAN NOT NULL DEFAULT 0;
            ALTER TABLE inboundMessage ADD COLUMN source TEXT;
            CREATE INDEX inboundMessage_review ON inboundMessage(reviewState);
            CREATE INDEX inboundMessage_participant ON inboundMessage(caseId, organizationId);
            """)
    }
}
