import GRDB

/// Migration `v9-inbound-trust`: what lets ingest apply a statement once and only to the case it is about.
///
/// - `signedDigest`: digest of the signer's key and the content a good signature covers, so the same signed
///   statement re-sent (another Message-ID, headers added on the way) is recognised and never applied again;
/// - `signedForCase`: whether that signed content names the case it was applied to (its id or one of our
///   tracking references); only then does the reply count as a verified answer (`case show` "(signed)").
enum InboundTrustSchema {
    static let migrationName = "v9-inbound-trust"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE inboundMessage ADD COLUMN signedDigest TEXT;
            ALTER TABLE inboundMessage ADD COLUMN signedForCase BOOLEAN NOT NULL DEFAULT 1;
            CREATE INDEX inboundMessage_signedDigest ON inboundMessage(signedDigest);
            """)
    }
}
