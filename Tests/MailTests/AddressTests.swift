import Foundation
import Testing
@testable import Mail

@Suite struct AddressTests {
    @Test func japaneseDisplayNameIsParsedAndEmittedEncoded() throws {
        let a = try EmailAddress(parsing: "\"山田 太郎\" <yamada@vendor.example>")
        #expect(a.address == "yamada@vendor.example")
        #expect(a.displayName == "山田 太郎")
        #expect(a.localPart == "yamada")
        #expect(a.domain == "vendor.example")
        #expect(a.headerValue == "=?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@vendor.example>")
        #expect(try EmailAddress(parsing: a.headerValue) == a)
        #expect(a.description == "山田 太郎 <yamada@vendor.example>")
    }

    @Test func asciiDisplayNamesAreQuotedOnlyWhenNeeded() throws {
        #expect(try EmailAddress(address: "a@b.example", displayName: "Example CSIRT").headerValue
                == "Example CSIRT <a@b.example>")
        #expect(try EmailAddress(address: "a@b.example", displayName: "Doe, John \"JD\"").headerValue
                == "\"Doe, John \\\"JD\\\"\" <a@b.example>")
        #expect(try EmailAddress(address: "a@b.example").headerValue == "a@b.example")
        let parsed = try EmailAddress(parsing: "\"Doe, John \\\"JD\\\"\" <a@b.example>")
        #expect(parsed.displayName == "Doe, John \"JD\"")
    }

    @Test func acceptsTheUsualForms() throws {
        #expect(try EmailAddress(parsing: "vuls@csirt.example").displayName == nil)
        #expect(try EmailAddress(parsing: "  Name   Here <x@y.example> ").displayName == "Name Here")
        #expect(try EmailAddress(parsing: "x@y.example (Old Style)").displayName == "Old Style")
        #expect(try EmailAddress(parsing: "=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <x@y.example>").displayName == "山田")
        #expect(try EmailAddress(parsing: "<x@y.example>").displayName == nil)
        let list = try EmailAddress.list(parsing: "\"Doe, J\" <j@d.example>, k@d.example, Team: l@d.example;")
        #expect(list.map(\.address) == ["j@d.example", "k@d.example", "l@d.example"])
    }

    @Test(arguments: ["", "plain", "a@@b.example", "a@b@c.example", "a b@c.example", "a@b .example", "<a@b.example",
                      ".a@b.example", "a..b@c.example", "a@-b.example", "a@b..example", "a@b_c.example",
                      "a@b.example>", "\"a b\"@c.example", "山田@vendor.example", "a@ベンダー.example", "a@"])
    func rejectsInvalidAddresses(_ text: String) {
        #expect(throws: MailError.invalidAddress) { try EmailAddress(parsing: text) }
    }

    @Test(arguments: ["a@b.example\r\nBcc: victim@x.example", "a@b.example\n", "a\u{0}@b.example"])
    func refusesControlCharactersInAddresses(_ text: String) {
        #expect(throws: MailError.headerInjection) { try EmailAddress(parsing: text) }
        #expect(throws: MailError.headerInjection) { try EmailAddress(address: text) }
    }

    @Test func refusesControlCharactersInDisplayNames() {
        for name in ["Evil\r\nBcc: victim@x.example", "Evil\n", "Bell\u{7}", "C1\u{85}"] {
            #expect(throws: MailError.headerInjection) { try EmailAddress(address: "a@b.example", displayName: name) }
        }
        // An encoded word that decodes to a line break is refused too.
        #expect(throws: MailError.headerInjection) { try EmailAddress(parsing: "=?UTF-8?B?QQ0KQmNjOiB4QHkuZXhhbXBsZQ==?= <a@b.example>") }
    }

    @Test func errorsNameWhatIsWrong() {
        do {
            _ = try EmailAddress(parsing: "a@b@c.example")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "The email address \"a@b@c.example\" is not valid: it has more than one @.")
        }
    }
}
