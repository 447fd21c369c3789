import Foundation
import Testing
import TestSupport
import WebFetch

/// HTTPS GETs against a TLS server started by the test on loopback with its own CA.
@Suite struct HTTPSFetcherTests {
    @Test func fetchesAFileTrustingTheGivenCA() throws {
        let server = try HTTPSTestServer.start()
        defer { server.stop() }
        try server.write(".well-known/security.txt", "Contact: mailto:psirt@example.com\n")
        let fetched = try HTTPSFetcher(caFile: server.caFile).fetch("https://\(server.domain)/.well-known/security.txt")
        #expect(fetched.status == 200)
        #expect(String(decoding: fetched.body, as: UTF8.self) == "Contact: mailto:psirt@example.com\n")
        #expect(fetched.contentType == "text/plain; charset=utf-8")
    }

    @Test func aServerWhoseCertificateIsNotTrustedIsRefused() throws {
        let server = try HTTPSTestServer.start()
        defer { server.stop() }
        try server.write("security.txt", "Contact: mailto:psirt@example.com\n")
        #expect(throws: WebFetchError.certificate) {
            try HTTPSFetcher().fetch("https://\(server.domain)/security.txt")
        }
    }

    @Test func aTenMegabyteBodyIsRefused() throws {
        let server = try HTTPSTestServer.start()
        defer { server.stop() }
        try server.write("big.txt.size", "\(10 * 1024 * 1024)")
        let error = #expect(throws: WebFetchError.tooLarge) {
            try HTTPSFetcher(caFile: server.caFile, maxBytes: 64 * 1024).fetch("https://\(server.domain)/big.txt")
        }
        #expect(error?.description.contains("larger than the 65,536 bytes allowed") == true)
    }

    @Test func redirectsAreFollowedWithinTheSameHostOnly() throws {
        let server = try HTTPSTestServer.start()
        defer { server.stop() }
        try server.write("target.txt", "here\n")
        try server.write("same.txt.redirect", "https://\(server.domain)/target.txt")
        try server.write("relative.txt.redirect", "/target.txt")
        // 127.0.0.1 is the same machine under another host name: still another host.
        try server.write("other.txt.redirect", "https://127.0.0.1:\(server.port)/target.txt")
        let fetcher = HTTPSFetcher(caFile: server.caFile)
        #expect(try fetcher.fetch("https://\(server.domain)/same.txt").body == Data("here\n".utf8))
        let relative = try fetcher.fetch("https://\(server.domain)/relative.txt")
        #expect(relative.url == "https://\(server.domain)/target.txt")
        let error = #expect(throws: WebFetchError.redirectToOtherHost) {
            try fetcher.fetch("https://\(server.domain)/other.txt")
        }
        #expect(error?.description == "https://\(server.domain)/other.txt redirects to another host (https://127.0.0.1:\(server.port)/target.txt); refused")
    }

    @Test func aServerThatDoesNotAnswerInTimeIsATimeout() throws {
        let server = try HTTPSTestServer.start()
        defer { server.stop() }
        try server.write("slow.txt", "late\n")
        try server.write("slow.txt.delay", "30")
        let started = Date()
        #expect(throws: WebFetchError.timeout) {
            try HTTPSFetcher(caFile: server.caFile, timeout: 1).fetch("https://\(server.domain)/slow.txt")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func plainHTTPAndMissingFilesAreErrors() throws {
        let server = try HTTPSTestServer.start()
        defer { server.stop() }
        #expect(throws: WebFetchError.notHTTPS) { try HTTPSFetcher().fetch("http://\(server.domain)/security.txt") }
        let missing = #expect(throws: WebFetchError.httpStatus) {
            try HTTPSFetcher(caFile: server.caFile).fetch("https://\(server.domain)/none.txt")
        }
        #expect(missing?.status == 404)
    }

    @Test func anUnreadableCAFileIsNamed() throws {
        let server = try HTTPSTestServer.start()
        defer { server.stop() }
        try server.write("security.txt", "Contact: mailto:psirt@example.com\n")
        let error = #expect(throws: WebFetchError.self) {
            try HTTPSFetcher(caFile: "/nonexistent/ca.pem").fetch("https://\(server.domain)/security.txt")
        }
        #expect(error?.description.hasPrefix("cannot use CA file /nonexistent/ca.pem") == true, "\(String(describing: error))")
    }
}
