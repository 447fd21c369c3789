import Foundation
import Testing
@testable import Desk

/// The answer form's parts that need no server: labels, the upload's multipart reading, the rate limits and the
/// CSRF nonce.
@Suite struct AnswerUnitTests {
    @Test func everyLabelTheAnswerPagesUseExistsInEnglishAndJapanese() throws {
        for (key, words) in AnswerLabels.entries {
            #expect(!words.en.isEmpty && !words.ja.isEmpty, "\(key)")
        }
        let text = [DeskTemplates.answerFormSource, DeskTemplates.answerConfirmSource, DeskTemplates.answerRefusedSource,
                    DeskTemplates.answerProblemSource].joined()
        let used = Set(text.matches(of: /labels\.([a-z_]+)/).map { String($0.1) })
        #expect(!used.isEmpty)
        for key in used { #expect(AnswerLabels.entries[key] != nil, "labels.\(key)") }
        // The status and justification words the pages look up.
        for status in ["affected", "not_affected", "fixed", "under_investigation"] { #expect(AnswerLabels.entries["status_\(status)"] != nil) }
        for label in ["component_not_present", "vulnerable_code_not_present", "vulnerable_code_cannot_be_controlled_by_adversary",
                      "vulnerable_code_not_in_execute_path", "inline_mitigations_already_exist"] {
            #expect(AnswerLabels.entries["justification_\(label)"] != nil)
        }
    }

    @Test func anUploadIsReadFromMultipartFormData() throws {
        let boundary = "----WebKitFormBoundaryAbc123"
        let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n123.abc\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"document\"; filename=\"v e x.json\"\r\nContent-Type: application/json\r\n\r\n"
            + "{\"a\":\r\n\"--x\"}\r\n--\(boundary)--\r\n"
        #expect(MultipartFormData.boundary(contentType: "multipart/form-data; boundary=\(boundary)") == boundary)
        #expect(MultipartFormData.boundary(contentType: "application/json") == nil)
        let form = try #require(MultipartFormData(body: Data(body.utf8), boundary: boundary))
        #expect(form.text("csrf") == "123.abc")
        #expect(form.part("document")?.filename == "v e x.json")
        #expect(form.part("document").map { String(decoding: $0.data, as: UTF8.self) } == "{\"a\":\r\n\"--x\"}")
        #expect(MultipartFormData(body: Data("garbage".utf8), boundary: boundary) == nil)
    }

    @Test func submissionsAreLimitedPerLinkAndPerAddress() {
        let limiter = AnswerRateLimiter(perToken: 3, perAddress: 5, window: 600)
        let now = Date()
        #expect((0..<3).allSatisfy { _ in limiter.admit(token: "t1", address: "192.0.2.1", now: now) })
        #expect(!limiter.admit(token: "t1", address: "192.0.2.2", now: now))          // the link is over its limit
        #expect(limiter.admit(token: "t2", address: "192.0.2.1", now: now))
        #expect(limiter.admit(token: "t3", address: "192.0.2.1", now: now))
        #expect(!limiter.admit(token: "t4", address: "192.0.2.1", now: now))          // the address is over its limit
        #expect(!limiter.admit(token: nil, address: "192.0.2.1", now: now))           // refused tokens count too
        #expect(limiter.admit(token: "t1", address: "192.0.2.9", now: now.addingTimeInterval(601)))   // the window moved on
    }
}
