import Foundation
import Gateway
import Testing

/// RFC 9116 parsing, on files written here with example addresses.
@Suite struct SecurityTxtTests {
    @Test func fieldsAreReadCaseInsensitivelyAndCommentsSkipped() throws {
        let file = try SecurityTxt.parse(Data("""
            # Security contacts of Example\r
            contact: mailto:psirt@example.com\r
            Contact: https://example.com/report\r
            ENCRYPTION: https://example.com/pgp-key.txt\r
            Preferred-Languages: en, ja ,fr\r
            Expires: 2030-01-01T00:00:00.000Z\r
            Canonical: https://example.com/.well-known/security.txt\r
            Policy: https://example.com/policy\r
            CSAF: https://example.com/.well-known/csaf/provider-metadata.json\r
            Hiring: https://example.com/jobs\r
            X-Unknown-Field: ignored\r

            """.utf8))
        #expect(file.contacts == ["mailto:psirt@example.com", "https://example.com/report"])
        #expect(file.emailAddresses == ["psirt@example.com"])
        #expect(file.encryption == ["https://example.com/pgp-key.txt"])
        #expect(file.preferredLanguages == ["en", "ja", "fr"])
        #expect(file.expires == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(file.canonical == ["https://example.com/.well-known/security.txt"])
        #expect(file.csaf == ["https://example.com/.well-known/csaf/provider-metadata.json"])
        #expect(!file.isSigned)
        #expect(file.problems.isEmpty)
    }

    @Test func missingOrRepeatedRequiredFieldsAndMalformedLinesAreProblemsNamingTheirLine() throws {
        let file = try SecurityTxt.parse(Data("""
            Policy: https://example.com/policy
            Expires: soon
            Expires: 2030-01-01T00:00:00Z
            this line is not a field

            """.utf8))
        #expect(file.problems == [
            "line 2: Expires soon is not an RFC 3339 date-time",
            "line 3: Expires appears more than once",
            "line 4: not a field (Name: value) nor a # comment",
            "no Contact field (RFC 9116 requires one)",
        ])
    }

    @Test func aClearsignedFileIsReadWithItsDashEscapedLines() throws {
        let file = try SecurityTxt.parse(Data("""
            -----BEGIN PGP SIGNED MESSAGE-----
            Hash: SHA512

            Contact: mailto:psirt@example.com
            - -----not a field, dash-escaped
            Expires: 2030-01-01T00:00:00+09:00
            -----BEGIN PGP SIGNATURE-----

            iHUEARYKAB0WIQ==
            -----END PGP SIGNATURE-----

            """.utf8))
        #expect(file.isSigned)
        #expect(file.contacts == ["mailto:psirt@example.com"])
        #expect(file.expires == Date(timeIntervalSince1970: 1_893_423_600))
        #expect(file.problems == ["line 5: not a field (Name: value) nor a # comment"])
    }

    @Test func binaryInvalidUTF8AndEmptyFilesAreRefused() {
        #expect(throws: SecurityTxtError.invalidUTF8) { try SecurityTxt.parse(Data([0x43, 0x3A, 0xC3, 0x28])) }
        #expect(throws: SecurityTxtError.binary) { try SecurityTxt.parse(Data("Contact: mailto:a@example.com\u{0}\n".utf8)) }
        #expect(throws: SecurityTxtError.binary) { try SecurityTxt.parse(Data("Contact: \u{1B}[31mmailto:a@example.com\n".utf8)) }
        #expect(throws: SecurityTxtError.noFields) { try SecurityTxt.parse(Data("# only a comment\n\n".utf8)) }
        #expect(throws: SecurityTxtError.malformedSignedMessage) {
            try SecurityTxt.parse(Data("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@example.com\n".utf8))
        }
    }
}
